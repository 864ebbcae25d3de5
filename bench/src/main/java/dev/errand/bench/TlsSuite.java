package dev.errand.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One HTTPS host answering after L ms, called by BatchDelivery in fresh JVMs: HTTP/1.1 against HTTP/2, the JDK
 * client left to itself (every call opens its own connection when none is pooled) against the shipped caller
 * (at most 8 handshakes to a host at a time, HTTP/2 lanes). Per configuration: a fresh JVM's first batch of
 * {@code firstSize}, then warm batches of each of {@code warmSizes}. All in one run, so the ratios compare.
 */
final class TlsSuite {

    /** Sizes, latency and how many warm-up and measured batches each JVM makes. */
    record Plan(int latency, List<Integer> sizes, int warmups, int measures) {
        Plan {
            sizes = List.copyOf(sizes);
        }

        /** A fresh JVM's first 1,000 and warm batches of 100 and 1,000: 8 JVMs, about two minutes. */
        static Plan full() {
            return new Plan(200, List.of(100, 1000), 3, 3);
        }

        static Plan quick() {
            return new Plan(10, List.of(5), 1, 1);
        }
    }

    /** target httpVersion, and how it reads in the table. */
    static final List<String> VERSIONS = List.of("1.1", "auto");
    /** The JDK client alone, then the shipped caller. */
    static final List<String> CALLERS = List.of("jdk-unbounded", "jdk");

    private final Jvm jvm;
    private final WorldProcess world;
    private final Plan plan;

    TlsSuite(Jvm jvm, WorldProcess world, Plan plan) {
        this.jvm = jvm;
        this.world = world;
        this.plan = plan;
    }

    List<Map<String, Object>> run() {
        BatchSuite batches = new BatchSuite(jvm, world, BatchSuite.Plan.quick());
        List<Map<String, Object>> results = new ArrayList<>();
        for (String version : VERSIONS) {
            for (String caller : CALLERS) {
                for (int size : plan.sizes()) {
                    Map<String, String> config = BatchSuite.config("delivery", caller, 1000, size, plan.latency(), "ok", "tuned");
                    config.put("httpVersion", version);
                    config.put("suite", "tls");
                    results.addAll(batches.run(BatchSuite.CONSUMER_FLAGS, config, plan.warmups(), plan.measures(), plan.latency()));
                }
            }
        }
        return results;
    }
}
