package dev.errand.bench.e2e;

import com.sun.management.OperatingSystemMXBean;
import dev.errand.bench.Args;
import dev.errand.bench.batch.Control;
import dev.errand.core.json.Json;
import dev.errand.local.HandlerFactory;
import dev.errand.local.LocalRuntime;
import dev.errand.process.ProcessJobsFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Jobs through the whole local path, in a fresh JVM: POST /jobs/batch (up to 100 jobs a request, a few clients at
 * once) to the local API, SubmitJobFunction, ElasticMQ, the event source poller, ProcessJobsFunction, and
 * the world's provider answering after L ms. Prints one {@code RESULT}: submit latencies, the time until
 * every job was delivered and until the queue was empty, and where the CPU went.
 */
public final class EndToEndRun {

    /** Clients submitting at once: a busy web application's few request threads. */
    static final int SUBMITTERS = 4;
    /** The run gives up after this long, so a stuck pipeline ends the benchmark instead of hanging it. */
    static final Duration GIVE_UP = Duration.ofMinutes(5);

    private EndToEndRun() {}

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        int jobs = args.integer("jobs");
        int latency = args.integer("latency");
        int perRequest = args.integer("perRequest");
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String pair : args.get("parameters").split(",")) {
            if (!pair.isBlank()) {
                overrides.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
        }
        Control control = new Control(URI.create(args.get("control")));
        String targets = "{\"targets\":{\"demo\":{\"baseUrl\":\"" + args.get("provider")
                + "\",\"allowInsecure\":true,\"maxConcurrency\":1000,\"breakerThreshold\":100}}}";
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        HandlerFactory handlers = (className, env, logs) -> className.equals(ProcessJobsFunction.class.getName())
                ? new ProcessJobsFunction(env, Math::random, quiet)
                : HandlerFactory.REFLECTIVE.create(className, env, quiet);
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.forTests(Path.of("template.yaml"), targets)
                .withParameters(overrides).withHandlers(handlers))) {
            String body = "{\"jobs\":[" + IntStream.range(0, perRequest)
                    .mapToObj(i -> "{\"target\":\"demo\",\"path\":\"/sleep/" + latency + "/status/200\",\"body\":{\"n\":" + i + "}}")
                    .collect(Collectors.joining(",")) + "]}";
            HttpClient http = HttpClient.newHttpClient();
            // one request first, outside the clock: the API's and the consumer's first calls are the cold-start benchmark's
            post(http, runtime.apiUrl(), "{\"jobs\":[{\"target\":\"demo\",\"path\":\"/status/200\"}]}");
            waitUntilEmpty(runtime, System.nanoTime() + GIVE_UP.toNanos());
            long servedBefore = control.stats().served();
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = os.getProcessCpuTime();
            long worldCpuBefore = control.stats().cpuNanos();
            long start = System.nanoTime();
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            int requests = jobs / perRequest;
            try (ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS)) {
                List<Future<?>> sent = new ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    sent.add(submitters.submit(() -> {
                        long t = System.nanoTime();
                        int status = post(http, runtime.apiUrl(), body);
                        latencies.add((System.nanoTime() - t) / 1e6);
                        if (status != 202) {
                            throw new IllegalStateException("POST /jobs/batch answered " + status);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : sent) {
                    f.get();
                }
            }
            long submitted = System.nanoTime();
            long deadline = start + GIVE_UP.toNanos();
            long delivered = 0;
            while (System.nanoTime() < deadline && control.stats().served() - servedBefore < (long) requests * perRequest) {
                Thread.sleep(20);
            }
            delivered = System.nanoTime();
            long empty = waitUntilEmpty(runtime, deadline);
            long cpu = os.getProcessCpuTime() - cpuBefore;
            long worldCpu = control.stats().cpuNanos() - worldCpuBefore;
            long servedCount = control.stats().served() - servedBefore;
            List<Double> sorted = latencies.stream().sorted().toList();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("jobs", requests * perRequest);
            result.put("jobsPerRequest", perRequest);
            result.put("delivered", servedCount);
            result.put("latency", latency);
            result.put("parameters", args.get("parameters"));
            result.put("submitRequests", requests);
            result.put("submitP50Ms", percentile(sorted, 0.50));
            result.put("submitP99Ms", percentile(sorted, 0.99));
            result.put("submitAllMs", (submitted - start) / 1e6);
            result.put("deliveredAllMs", (delivered - start) / 1e6);
            result.put("queueEmptyMs", (empty - start) / 1e6);
            result.put("jobsPerSecond", servedCount * 1e9 / (delivered - start));
            result.put("runtimeCpuCores", cpu / (double) (empty - start));
            result.put("worldCpuCores", worldCpu / (double) (empty - start));
            System.out.println("RESULT " + Json.write(result));
        }
        System.exit(0);
    }

    private static int post(HttpClient http, URI api, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(api.resolve("/jobs/batch")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Waits until the jobs queue holds nothing, visible or in flight; answers when. */
    private static long waitUntilEmpty(LocalRuntime runtime, long deadline) throws InterruptedException {
        String queue = runtime.queue("JobsQueue").url();
        while (System.nanoTime() < deadline) {
            Map<QueueAttributeName, String> a = runtime.sqs().getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            if (a.values().stream().mapToInt(Integer::parseInt).sum() == 0) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
        return System.nanoTime();
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
