package dev.errand.local.logs;

import dev.errand.aws.CloudWatchJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * CloudWatch's part, locally: on AWS, CloudWatch Logs turns the EMF lines a function prints into metrics;
 * here each EMF line the handlers print becomes PutMetricData calls to moto's CloudWatch, so the operator
 * console reads the same metrics the same way on both. Calls go out from one thread, about once a second,
 * so a handler never waits on them; what cannot be put is dropped with one line, as metrics are best effort.
 */
public final class LocalCloudWatch implements AutoCloseable {

    /** How long data waits to be batched; the console refreshes in seconds, so a second is fresh enough. */
    static final Duration FLUSH_EVERY = Duration.ofSeconds(1);
    /** PutMetricData takes at most 1,000 data per request. */
    static final int MAX_DATA_PER_CALL = 1000;
    /** PutMetricData takes at most 150 values per datum (EMF lines carry at most 100). */
    static final int MAX_VALUES_PER_DATUM = 150;
    /** Data held at most while CloudWatch is slow: beyond, new data is dropped rather than memory used up. */
    static final int MAX_PENDING = 100_000;

    private final CloudWatchJson cloudWatch;
    private final Consumer<String> console;
    private final LinkedBlockingQueue<Emf.Datum> pending = new LinkedBlockingQueue<>(MAX_PENDING);
    private final Thread publisher;
    private volatile boolean running = true;
    private volatile boolean warned;

    public LocalCloudWatch(CloudWatchJson cloudWatch, Consumer<String> console) {
        this.cloudWatch = cloudWatch;
        this.console = console;
        this.publisher = Thread.ofPlatform().daemon().name("local-cloudwatch").start(this::publish);
    }

    /** Takes one EMF line (already parsed); other lines are ignored. */
    public void accept(Map<String, Object> line) {
        for (Emf.Datum datum : Emf.data(line)) {
            if (!pending.offer(datum)) {
                warnOnce("metrics are coming faster than local CloudWatch takes them; some are dropped");
            }
        }
    }

    @Override
    public void close() {
        running = false;
        publisher.interrupt();
        try {
            publisher.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        cloudWatch.close();
    }

    private void publish() {
        while (running) {
            try {
                Emf.Datum first = pending.poll(FLUSH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                Thread.sleep(FLUSH_EVERY);
                List<Emf.Datum> batch = new ArrayList<>(List.of(first));
                pending.drainTo(batch);
                put(batch);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void flush() {
        List<Emf.Datum> rest = new ArrayList<>();
        pending.drainTo(rest);
        put(rest);
    }

    private void put(List<Emf.Datum> data) {
        Map<String, List<Map<String, Object>>> byNamespace = new LinkedHashMap<>();
        for (Emf.Datum d : data) {
            for (int from = 0; from < d.values().size(); from += MAX_VALUES_PER_DATUM) {
                Map<String, Object> datum = new LinkedHashMap<>();
                datum.put("MetricName", d.name());
                datum.put("Unit", d.unit());
                datum.put("Dimensions", d.dimensions().entrySet().stream().map(e -> Map.of("Name", e.getKey(), "Value", e.getValue())).toList());
                datum.put("Values", d.values().subList(from, Math.min(d.values().size(), from + MAX_VALUES_PER_DATUM)));
                datum.put("Timestamp", d.timestamp().toEpochMilli() / 1000.0);
                byNamespace.computeIfAbsent(d.namespace(), n -> new ArrayList<>()).add(datum);
            }
        }
        byNamespace.forEach((namespace, all) -> {
            for (int from = 0; from < all.size(); from += MAX_DATA_PER_CALL) {
                if (cloudWatch.putMetricData(namespace, all.subList(from, Math.min(all.size(), from + MAX_DATA_PER_CALL)))
                        instanceof CloudWatchJson.Reply.Failed f) {
                    warnOnce("local CloudWatch did not take metrics (" + f.type() + ": " + f.message() + "); the console's per-target figures may lag");
                }
            }
        });
    }

    private void warnOnce(String message) {
        if (!warned) {
            warned = true;
            console.accept("[local cloudwatch] " + message);
        }
    }
}
