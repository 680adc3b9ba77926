package dev.toolgate.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import io.smallrye.mutiny.Uni;

/** Runs the same store operation from many threads released at one instant, to show that the store is atomic. */
public final class Concurrently {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private Concurrently() {
    }

    /**
     * Starts {@code n} threads, releases them together, and has thread {@code i} subscribe to {@code call(i)} and wait
     * for its item.
     *
     * @return the items, in thread order
     */
    public static <T> List<T> run(int n, IntFunction<Uni<T>> call) {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(threads.submit(() -> {
                    ready.countDown();
                    go.await();
                    return call.apply(index).await().atMost(WAIT);
                }));
            }
            if (!ready.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the threads did not start");
            }
            go.countDown();
            List<T> items = new ArrayList<>(n);
            for (Future<T> future : futures) {
                items.add(future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }
            return items;
        } catch (Exception e) {
            throw new IllegalStateException("a concurrent call failed", e);
        } finally {
            threads.shutdownNow();
        }
    }
}
