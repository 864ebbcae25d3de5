package dev.errand.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Batch concurrency: the Lambda handler against the world, concurrent and sequential, for each batch
 * size and latency, each configuration in a fresh JVM; then the failure mix, the targets' default limits,
 * and C1-only compilation. The client comparison runs BatchDelivery with each HTTP client.
 */
final class BatchSuite {

    /** What to run: sizes, latencies, and how many warm-up and measured batches per fresh JVM. */
    record Plan(List<Integer> sizes, List<Integer> latencies, int warmups, int measures, List<Integer> clientSizes) {
        Plan {
            sizes = List.copyOf(sizes);
            latencies = List.copyOf(latencies);
            clientSizes = List.copyOf(clientSizes);
        }

        static Plan full() {
            return new Plan(List.of(10, 100, 1000), List.of(50, 200), 8, 5, List.of(100, 1000));
        }

        static Plan quick() {
            return new Plan(List.of(5), List.of(10), 1, 1, List.of(5));
        }
    }

    /** A consumer JVM the size of a 512 MB function's heap budget: the goal is under 256 MB for 1,000 records. */
    static final List<String> CONSUMER_FLAGS = List.of("-Xmx256m");
    static final List<String> C1_ONLY = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");
    static final String MAIN = "dev.errand.bench.batch.BatchRun";
    /**
     * The baseline's warm-up batches: a few, answered after 1 ms, so its JIT is as warm as the concurrent
     * consumer's without minutes of waiting. (Its 1,000-record batch is its first and only one, and mostly
     * warm: the JIT has done its work after the first hundred calls.)
     */
    static final int SEQUENTIAL_WARMUPS = 3;
    static final int SEQUENTIAL_WARMUP_LATENCY_MS = 1;

    private final Jvm jvm;
    private final WorldProcess world;
    private final Plan plan;

    BatchSuite(Jvm jvm, WorldProcess world, Plan plan) {
        this.jvm = jvm;
        this.world = world;
        this.plan = plan;
    }

    List<Map<String, Object>> batches() {
        List<Map<String, Object>> results = new ArrayList<>();
        int largest = plan.sizes().getLast();
        int slowest = plan.latencies().getLast();
        for (int latency : plan.latencies()) {
            for (int size : plan.sizes()) {
                results.addAll(run(CONSUMER_FLAGS, config("handler", "jdk", 1000, size, latency, "ok", "tuned"), plan.warmups(), plan.measures()));
            }
        }
        results.addAll(run(CONSUMER_FLAGS, config("handler", "jdk", 1000, largest, slowest, "failures", "tuned"), plan.warmups(), plan.measures()));
        results.addAll(run(CONSUMER_FLAGS, config("handler", "jdk", 1000, largest, slowest, "ok", "defaults"), plan.warmups(), plan.measures()));
        results.addAll(run(C1_ONLY, config("handler", "jdk", 1000, largest, slowest, "ok", "tuned"), plan.warmups(), plan.measures()));
        results.addAll(sequentialBaselines());
        return results;
    }

    /**
     * The plain loop, one call at a time. Its batches are nearly all waiting, so the baselines run side by
     * side (one JVM each) to keep the whole run short; the first batch of 1,000 is its only one.
     */
    private List<Map<String, Object>> sequentialBaselines() {
        try (ExecutorService parallel = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Map<String, Object>>>> running = new ArrayList<>();
            for (int latency : plan.latencies()) {
                for (int size : plan.sizes()) {
                    int measures = size >= 1000 ? 0 : 1;
                    int warmups = measures == 0 ? 0 : SEQUENTIAL_WARMUPS;
                    running.add(parallel.submit(() -> run(CONSUMER_FLAGS, config("handler", "jdk", 1, size, latency, "ok", "tuned"), warmups, measures,
                            SEQUENTIAL_WARMUP_LATENCY_MS)));
                }
            }
            List<Map<String, Object>> results = new ArrayList<>();
            for (Future<List<Map<String, Object>>> f : running) {
                results.addAll(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a sequential baseline failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    List<Map<String, Object>> clients() {
        List<Map<String, Object>> results = new ArrayList<>();
        for (String client : dev.errand.bench.callers.Callers.NAMES) {
            for (int latency : plan.latencies()) {
                for (int size : plan.clientSizes()) {
                    Map<String, String> config = config("delivery", client, 1000, size, latency, "ok", "tuned");
                    // plain HTTP: the CRT client trusts the operating system's CAs only, and the SDK's builder cannot be given ours
                    config.put("transport", "http");
                    results.addAll(run(CONSUMER_FLAGS, config, plan.warmups(), plan.measures()));
                }
            }
        }
        return results;
    }

    static Map<String, String> config(String driver, String client, int maxInFlight, int size, int latency, String mix, String limits) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("driver", driver);
        c.put("client", client);
        c.put("maxInFlight", String.valueOf(maxInFlight));
        c.put("size", String.valueOf(size));
        c.put("latency", String.valueOf(latency));
        c.put("mix", mix);
        c.put("limits", limits);
        return c;
    }

    private List<Map<String, Object>> run(List<String> flags, Map<String, String> config, int warmups, int measures) {
        return run(flags, config, warmups, measures, Integer.parseInt(config.get("latency")));
    }

    List<Map<String, Object>> run(List<String> flags, Map<String, String> config, int warmups, int measures, int warmupLatency) {
        List<String> args = new ArrayList<>();
        args.add("warmupLatency=" + warmupLatency);
        config.forEach((k, v) -> args.add(k + "=" + v));
        args.add("warmups=" + warmups);
        args.add("measures=" + measures);
        args.add("control=" + world.control());
        args.add("provider=" + ("http".equals(config.get("transport")) ? world.plainProvider() : world.provider()));
        args.add("sqs=" + world.sqs());
        String name = String.join("-", config.values()) + (flags.size() > 1 ? "-c1" : "");
        System.err.println("  running " + name);
        List<Map<String, Object>> results = jvm.results(name, jvm.command(flags, MAIN, args));
        results.forEach(r -> {
            r.remove("sqs");
            r.remove("warmups");
            r.remove("measures");
            r.remove("warmupLatency");
            r.put("jvmFlags", String.join(" ", flags));
        });
        return results;
    }
}
