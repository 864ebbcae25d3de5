package dev.errand.bench.batch;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.errand.aws.Env;
import dev.errand.bench.Args;
import dev.errand.bench.callers.Callers;
import dev.errand.bench.coldstart.BenchContext;
import dev.errand.core.auth.SecretAuthenticator;
import dev.errand.core.auth.SecretSource;
import dev.errand.core.delivery.BatchDelivery;
import dev.errand.core.delivery.Deadline;
import dev.errand.core.delivery.Outcome;
import dev.errand.core.delivery.RetryPolicy;
import dev.errand.core.delivery.Settled;
import dev.errand.core.json.Json;
import dev.errand.core.log.JsonLog;
import dev.errand.core.target.Targets;
import dev.errand.process.ProcessJobsFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One consumer, in a fresh JVM: the first batch it ever serves, then warm-up batches, then measured warm
 * batches, each printed as a {@code RESULT {json}} line. The driver is either the Lambda handler itself
 * (ProcessJobsFunction: deliveries and settlement on SQS) or {@link BatchDelivery} with a chosen
 * {@link dev.errand.core.delivery.HttpCaller} (the client comparison: the calls alone).
 */
public final class BatchRun {

    /** Of every ten records in the failure mix: seven answer 200, two 503 (retry: a visibility change), one 400 (DLQ). */
    static final List<String> FAILURE_MIX = List.of("200", "503", "200", "200", "400", "200", "503", "200", "200", "200");
    /** A clean target document lets a whole batch be in flight; the defaults (50 in flight, a breaker of 5) do not. */
    static final String TUNED_LIMITS = ",\"maxConcurrency\":1000,\"breakerThreshold\":100";

    private BatchRun() {}

    public static void main(String[] argv) throws IOException {
        Args args = Args.parse(argv);
        Control control = new Control(URI.create(args.get("control")));
        int size = args.integer("size");
        int latency = args.integer("latency");
        int warmups = args.integer("warmups");
        int measures = args.integer("measures");
        boolean failures = args.get("mix").equals("failures");
        List<String> statuses = failures ? FAILURE_MIX : List.of("200");
        List<String> paths = statuses.stream().map(s -> "/sleep/" + latency + "/status/" + s).toList();
        // warm-up batches may use a shorter latency: the JIT warms the same code, and the baseline's warm-ups stay short
        List<String> warmupPaths = statuses.stream().map(s -> "/sleep/" + args.integer("warmupLatency") + "/status/" + s).toList();
        String queue = "bench-" + ProcessHandle.current().pid();
        String targets = "{\"targets\":{\"demo\":{\"baseUrl\":\"" + args.get("provider") + "\",\"allowInsecure\":true"
                + ",\"httpVersion\":\"" + args.all().getOrDefault("httpVersion", "auto") + "\""
                + (args.get("limits").equals("defaults") ? "" : TUNED_LIMITS) + "}}}";

        Prepared first = Prepared.fetch(control, queue, size, paths);
        Driver driver = args.get("driver").equals("handler")
                ? handler(args, targets, first)
                : delivery(args, targets);
        long expectedFailures = expectedFailures(first, args.get("driver"));
        for (int i = 0; i < 1 + warmups + measures; i++) {
            boolean warmup = i > 0 && i <= warmups;
            Prepared batch = i == 0 ? first : Prepared.fetch(control, queue, size, warmup ? warmupPaths : paths);
            Control.ProviderStats before = control.stats();
            Meter.Started meter = Meter.start();
            Undelivered failed = driver.run(batch);
            Meter.Reading reading = meter.stop();
            Control.ProviderStats after = control.stats();
            if (!warmup) {
                Map<String, Object> result = new LinkedHashMap<>(args.all());
                result.remove("control");
                result.remove("provider");
                result.put("phase", i == 0 ? "first" : "warm");
                result.put("wallMs", reading.wallNanos() / 1e6);
                result.put("cpuMs", reading.cpuNanos() / 1e6);
                result.put("gcMs", reading.gcMillis());
                result.put("peakHeapMb", reading.peakHeapBytes() / (1024.0 * 1024.0));
                result.put("loadAverage", reading.loadAverage());
                result.put("failed", failed.count());
                result.put("failureExample", failed.example());
                result.put("expectedFailed", expectedFailures);
                result.put("providerCpuMs", (after.cpuNanos() - before.cpuNanos()) / 1e6);
                result.put("providerServed", after.served() - before.served());
                result.put("providerPeakInFlight", after.peakInFlight());
                result.put("connectionsOpened", after.connections() - before.connections());
                System.out.println("RESULT " + Json.write(result));
                System.out.flush();
            }
        }
        System.exit(0);
    }

    /** What one batch left undelivered: how many (handler: reported failures), and one reason as an example. */
    record Undelivered(long count, String example) {}

    /** Runs one batch. */
    @FunctionalInterface
    interface Driver {
        Undelivered run(Prepared batch);
    }

    private static Driver handler(Args args, String targets, Prepared first) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "bench");
        env.put("AWS_SECRET_ACCESS_KEY", "bench");
        env.put("AWS_ENDPOINT_URL_SQS", args.get("sqs"));
        env.put(Env.JOBS_QUEUE_URL, first.jobsQueueUrl());
        env.put(Env.DEAD_LETTER_QUEUE_URL, first.deadLetterQueueUrl());
        env.put(Env.TARGETS, targets);
        env.put(Env.MAX_IN_FLIGHT, args.get("maxInFlight"));
        ProcessJobsFunction function = new ProcessJobsFunction(new Env(env), () -> 1.0, new PrintStream(OutputStream.nullOutputStream()));
        return batch -> {
            SQSBatchResponse response = function.handleRequest(batch.event(), BenchContext.lasting(BenchContext.LONGEST_TIMEOUT));
            return new Undelivered(response.getBatchItemFailures().size(), "");
        };
    }

    private static Driver delivery(Args args, String targets) {
        Clock clock = Clock.systemUTC();
        BatchDelivery delivery = new BatchDelivery(
                ((Targets.Loaded.Ok) Targets.parse(targets)).targets(),
                Callers.create(args.get("client")),
                RetryPolicy.builder().build(),
                new SecretAuthenticator(SecretSource.NONE),
                new JsonLog(new PrintStream(OutputStream.nullOutputStream()), clock),
                clock,
                args.integer("maxInFlight"));
        return batch -> {
            List<Settled> settled = delivery.deliver(batch.messages(), Deadline.after(clock, BenchContext.LONGEST_TIMEOUT.minus(Duration.ofSeconds(3))));
            List<Settled> undelivered = settled.stream().filter(s -> !(s.outcome() instanceof Outcome.Delivered)).toList();
            return new Undelivered(undelivered.size(), undelivered.stream()
                    .filter(s -> !s.job().map(j -> j.request().path().contains("/status/400") || j.request().path().contains("/status/503")).orElse(false))
                    .findFirst().map(s -> String.valueOf(s.outcome())).orElse(""));
        };
    }

    /** The handler reports only retries (503s) as failures; BatchDelivery's count also holds the 400s. */
    private static long expectedFailures(Prepared batch, String driver) {
        return batch.records().stream()
                .filter(r -> r.body().contains("/status/503") || (driver.equals("delivery") && r.body().contains("/status/400")))
                .count();
    }
}
