package dev.toolgate.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.toolgate.testing.grpc.Entry;
import dev.toolgate.testing.grpc.LedgerGrpc;
import dev.toolgate.testing.grpc.Receipt;
import dev.toolgate.testing.grpc.VaultGrpc;
import dev.toolgate.testing.grpc.WatchRequest;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

/**
 * A real gRPC server (grpc-java on Netty) behind the transparent proxy: the {@code testing.v1.Ledger} methods of every
 * kind and {@code testing.v1.Vault}. It records every call that reaches it (method, metadata, deadline, messages), so
 * that a test can show that a refused call never arrived.
 */
public final class LedgerUpstream implements AutoCloseable {

    /** One call as the upstream saw it. */
    public record Arrived(String method, Metadata metadata, Long deadlineMillis, List<Entry> entries) {
    }

    private static final Context.Key<Arrived> ARRIVED = Context.key("arrived");

    private final Server server;
    private final List<Arrived> arrived = new CopyOnWriteArrayList<>();

    private LedgerUpstream() throws IOException {
        ServerInterceptor record = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                    ServerCallHandler<Q, A> next) {
                Deadline deadline = Context.current().getDeadline();
                Arrived seen = new Arrived(call.getMethodDescriptor().getFullMethodName(), headers,
                        deadline == null ? null : deadline.timeRemaining(TimeUnit.MILLISECONDS),
                        new CopyOnWriteArrayList<>());
                arrived.add(seen);
                return Contexts.interceptCall(Context.current().withValue(ARRIVED, seen), call, headers, next);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new Ledger(), record))
                .addService(ServerInterceptors.intercept(new Vault(), record))
                .build().start();
    }

    public static LedgerUpstream start() throws IOException {
        return new LedgerUpstream();
    }

    public int port() {
        return server.getPort();
    }

    public List<Arrived> arrived() {
        return List.copyOf(arrived);
    }

    public void clear() {
        arrived.clear();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static void seen(Entry entry) {
        ARRIVED.get().entries().add(entry);
    }

    /** Sleeps, or fails, as the entry asks; false when it failed the call. */
    private static boolean act(Entry entry, StreamObserver<?> answers) {
        if (entry.getSleepMs() > 0) {
            try {
                Thread.sleep(entry.getSleepMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (entry.getFailWith() != 0) {
            Metadata trailers = new Metadata();
            trailers.put(Metadata.Key.of("x-ledger-trailer", Metadata.ASCII_STRING_MARSHALLER), "kept");
            answers.onError(Status.fromCodeValue(entry.getFailWith()).withDescription(entry.getNote())
                    .asRuntimeException(trailers));
            return false;
        }
        return true;
    }

    private static final class Ledger extends LedgerGrpc.LedgerImplBase {

        @Override
        public void post(Entry entry, StreamObserver<Receipt> answers) {
            seen(entry);
            if (act(entry, answers)) {
                answers.onNext(Receipt.newBuilder().setId("r-" + entry.getAccount())
                        .setTotalUsdMicros(entry.getAmountUsdMicros()).setCount(1).setNote(entry.getNote()).build());
                answers.onCompleted();
            }
        }

        @Override
        public void watch(WatchRequest request, StreamObserver<Receipt> answers) {
            for (int i = 1; i <= request.getCount(); i++) {
                answers.onNext(Receipt.newBuilder().setId(request.getAccount() + "-" + i).setCount(i).build());
            }
            answers.onCompleted();
        }

        @Override
        public StreamObserver<Entry> upload(StreamObserver<Receipt> answers) {
            return new StreamObserver<>() {
                long total;
                int count;

                @Override
                public void onNext(Entry entry) {
                    seen(entry);
                    total += entry.getAmountUsdMicros();
                    count++;
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    answers.onNext(Receipt.newBuilder().setId("upload").setTotalUsdMicros(total).setCount(count)
                            .build());
                    answers.onCompleted();
                }
            };
        }

        @Override
        public StreamObserver<Entry> chat(StreamObserver<Receipt> answers) {
            return new StreamObserver<>() {
                int count;

                @Override
                public void onNext(Entry entry) {
                    seen(entry);
                    answers.onNext(Receipt.newBuilder().setId("echo").setNote(entry.getNote()).setCount(++count)
                            .build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    answers.onCompleted();
                }
            };
        }
    }

    private static final class Vault extends VaultGrpc.VaultImplBase {

        @Override
        public void get(Entry entry, StreamObserver<Receipt> answers) {
            seen(entry);
            answers.onNext(Receipt.newBuilder().setId("secret").build());
            answers.onCompleted();
        }
    }
}
