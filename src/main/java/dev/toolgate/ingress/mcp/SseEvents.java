package dev.toolgate.ingress.mcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a {@code text/event-stream} into events as its bytes arrive (the WHATWG rules: lines end with CRLF, LF or
 * CR; an empty line ends an event; {@code data} lines are joined with LF; comments and other fields are kept only in
 * the event's raw bytes). Each event keeps its exact bytes, so that an event passed on is the event received.
 */
final class SseEvents {

    /**
     * One event.
     *
     * @param raw its bytes as received, the ending empty line included
     * @param data its data, or null when it has no data line
     * @param id its {@code id} field, or null
     * @param event its {@code event} field, or null
     */
    record Event(byte[] raw, String data, String id, String event) {
    }

    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private StringBuilder data;
    private String id;
    private String event;
    private boolean lastWasCr;
    private final int maxEventBytes;

    /** @param maxEventBytes the largest event accepted; a longer one fails the stream */
    SseEvents(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * Feeds bytes; returns the events they complete.
     *
     * @throws IllegalStateException when an event grows past the limit
     */
    List<Event> feed(byte[] bytes) {
        List<Event> done = new ArrayList<>();
        for (byte b : bytes) {
            if (lastWasCr && b == '\n') {
                // the LF of a CRLF: the line already ended at the CR
                raw.write(b);
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            raw.write(b);
            if (raw.size() > maxEventBytes) {
                throw new IllegalStateException("an event of the stream is larger than " + maxEventBytes + " bytes");
            }
            if (b == '\n' || b == '\r') {
                endLine(done);
            } else {
                line.write(b);
            }
        }
        return done;
    }

    /** Every event of a complete stream, the last one included even when the stream stopped without its empty line. */
    static List<Event> all(byte[] stream, int maxEventBytes) {
        SseEvents events = new SseEvents(maxEventBytes);
        List<Event> all = new ArrayList<>(events.feed(stream));
        if (events.pending().length > 0) {
            all.addAll(events.feed(new byte[] { '\n', '\n' }));
        }
        return all;
    }

    /** The bytes of an event not yet ended, if any (a stream that stopped mid-event). */
    byte[] pending() {
        return raw.toByteArray();
    }

    private void endLine(List<Event> done) {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            done.add(new Event(raw.toByteArray(), data == null ? null : data.toString(), id, event));
            raw.reset();
            data = null;
            id = null;
            event = null;
            return;
        }
        if (text.startsWith(":")) {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            case "id" -> id = value;
            case "event" -> event = value;
            default -> {
                // retry and unknown fields travel in the raw bytes only
            }
        }
    }

    /** An event carrying {@code data} as its only field, ready to send. */
    static byte[] event(String data, String id) {
        StringBuilder text = new StringBuilder();
        text.append("event: message\n");
        if (id != null) {
            text.append("id: ").append(id).append('\n');
        }
        for (String part : data.split("\n", -1)) {
            text.append("data: ").append(part).append('\n');
        }
        return text.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }
}
