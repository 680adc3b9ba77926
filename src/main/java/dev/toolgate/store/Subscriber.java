package dev.toolgate.store;

import java.time.Duration;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Pub/Sub subscription on a connection of its own, reopened after every loss (see
 * {@link dev.toolgate.store.RedisConnection#subscribe}).
 */
final class Subscriber implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Subscriber.class);

    private final Vertx vertx;
    private final Redis client;
    private final String channel;
    private final Duration retry;
    private final Consumer<String> messages;
    private final Runnable subscribed;
    private final Runnable lost;
    private volatile boolean closed;
    private RedisConnection connection;

    Subscriber(Vertx vertx, RedisOptions options, String channel, Duration retry, Consumer<String> messages,
            Runnable subscribed, Runnable lost) {
        this.vertx = vertx;
        this.client = Redis.createClient(vertx, options);
        this.channel = channel;
        this.retry = retry;
        this.messages = messages;
        this.subscribed = subscribed;
        this.lost = lost;
    }

    Subscriber start() {
        connect();
        return this;
    }

    private void connect() {
        if (closed) {
            return;
        }
        client.connect().onSuccess(opened -> {
            synchronized (this) {
                if (closed) {
                    opened.close();
                    return;
                }
                connection = opened;
            }
            opened.handler(this::received);
            opened.exceptionHandler(fault -> dropped(opened, fault.toString()));
            opened.endHandler(nothing -> dropped(opened, "connection closed"));
            opened.send(Request.cmd(Command.SUBSCRIBE).arg(channel))
                    .onSuccess(reply -> subscribed.run())
                    .onFailure(fault -> dropped(opened, fault.toString()));
        }).onFailure(fault -> retryLater(fault.toString()));
    }

    private void received(Response message) {
        // RESP2 and RESP3 alike: ["message", channel, payload]; subscription confirmations are not messages
        if (message != null && message.size() == 3 && "message".equals(message.get(0).toString())
                && channel.equals(message.get(1).toString())) {
            messages.accept(message.get(2).toString());
        }
    }

    private void dropped(RedisConnection which, String why) {
        synchronized (this) {
            if (connection != which) {
                return;
            }
            connection = null;
        }
        // the client has closed it already (a failed or ended connection is evicted)
        lost.run();
        retryLater(why);
    }

    private void retryLater(String why) {
        if (!closed) {
            LOG.debugf("Redis subscription to %s down (%s); retrying in %s", channel, why, retry);
            vertx.setTimer(Math.max(1, retry.toMillis()), id -> connect());
        }
    }

    @Override
    public void close() {
        RedisConnection open;
        synchronized (this) {
            closed = true;
            open = connection;
            connection = null;
        }
        if (open != null) {
            open.close();
        }
        client.close();
    }
}
