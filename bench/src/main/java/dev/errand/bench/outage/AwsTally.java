package dev.errand.bench.outage;

import com.sun.net.httpserver.Headers;
import dev.errand.core.json.Json;
import dev.errand.testkit.SlowProxy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * AWS requests by service and action ({@code sqs ReceiveMessage}, {@code dynamodb UpdateItem}), as a proxy in
 * front of ElasticMQ and moto forwarded them; and the keys BatchGetItem asked for, each one read request unit
 * (strongly consistent, items under 4 KB), as {@code dynamodb keysRead}. A ReceiveMessage that answered no
 * message is counted apart, as {@code sqs ReceiveMessage (empty)}: the local pollers long-poll for one second, Lambda's
 * for up to twenty, so empty receives say more about the poller than about the backlog.
 */
final class AwsTally {

    static final String KEYS_READ = "dynamodb keysRead";
    static final String EMPTY_RECEIVE = "ReceiveMessage (empty)";
    /** UpdateItem by the first clause of its update expression; refused: its condition failed (a lost race). */
    static final String KIND = "write: ";
    /** Requests and their total time at the emulator, by service. */
    static final String TIME = "time ";
    /** Messages the receives answered: how often a job came back from the queue. */
    static final String RECEIVED = "sqs messagesReceived";

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void count(SlowProxy.Forwarded request) {
        String service = service(request.headers());
        String action = action(request.headers(), request.body());
        long received = service.equals("sqs") && action.equals("ReceiveMessage") ? messages(request.answer()) : 0;
        add(service + " " + (action.equals("ReceiveMessage") && received == 0 ? EMPTY_RECEIVE : action), 1);
        add(RECEIVED, received);
        if (action.equals("UpdateItem")) {
            // which write: the update expression's first clause names it (tat = token bucket, failures, breaker, probeHolder ...)
            add(KIND + expression(request.body()) + (request.status() == 200 ? "" : " (refused)"), 1);
        }
        // every request's time at the emulator (long polls aside): a slow emulator shows here, not as Errand's time
        if (!action.equals("ReceiveMessage")) {
            add(TIME + service + " requests", 1);
            add(TIME + service + " micros", request.took().toNanos() / 1000);
        }
        if (service.equals("dynamodb") && action.equals("BatchGetItem")) {
            add(KEYS_READ, keys(request.body()));
        }
    }

    /** What was counted so far, in a stable order. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The service SigV4 signed the request for: the fourth part of its credential scope. */
    static String service(Headers headers) {
        String auth = Optional.ofNullable(headers.getFirst("Authorization")).orElse("");
        int from = auth.indexOf("Credential=");
        if (from < 0) {
            return "unsigned";
        }
        String[] scope = auth.substring(from + "Credential=".length()).split("[,\\s]")[0].split("/");
        return scope.length > 3 ? scope[3] : "unsigned";
    }

    /** The JSON protocols' X-Amz-Target, the query protocol's Action, or the REST path's first part. */
    private static String action(Headers headers, byte[] body) {
        String target = headers.getFirst("X-Amz-Target");
        if (target != null) {
            return target.substring(target.indexOf('.') + 1);
        }
        String text = new String(body, StandardCharsets.UTF_8);
        for (String pair : text.split("&")) {
            if (pair.startsWith("Action=")) {
                return URLDecoder.decode(pair.substring("Action=".length()), StandardCharsets.UTF_8);
            }
        }
        return "REST";
    }

    /** Messages a JSON-protocol ReceiveMessage answered (a query-protocol answer is XML: counted by its elements). */
    private static long messages(byte[] answer) {
        String text = new String(answer, StandardCharsets.UTF_8);
        return switch (Json.parse(text)) {
            case Json.Parsed.Value v when v.value() instanceof Map<?, ?> m -> m.get("Messages") instanceof List<?> l ? l.size() : 0;
            case Json.Parsed.Value v -> 0;
            case Json.Parsed.Malformed m -> text.split("<Message>", -1).length - 1;
        };
    }

    private static String expression(byte[] body) {
        return switch (Json.parse(new String(body, StandardCharsets.UTF_8))) {
            case Json.Parsed.Value v when v.value() instanceof Map<?, ?> m && m.get("UpdateExpression") instanceof String e ->
                    e.split(",")[0].trim();
            case Json.Parsed.Value v -> "?";
            case Json.Parsed.Malformed m -> "?";
        };
    }

    private static long keys(byte[] body) {
        return switch (Json.parse(new String(body, StandardCharsets.UTF_8))) {
            case Json.Parsed.Value v when v.value() instanceof Map<?, ?> m && m.get("RequestItems") instanceof Map<?, ?> items ->
                    items.values().stream().mapToLong(t -> t instanceof Map<?, ?> table && table.get("Keys") instanceof List<?> keys
                            ? keys.size() : 0).sum();
            case Json.Parsed.Value v -> 0;
            case Json.Parsed.Malformed m -> 0;
        };
    }

    private void add(String key, long n) {
        counts.computeIfAbsent(key, k -> new LongAdder()).add(n);
    }
}
