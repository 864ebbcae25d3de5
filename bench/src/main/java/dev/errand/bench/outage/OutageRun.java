package dev.errand.bench.outage;

import dev.errand.aws.Env;
import dev.errand.bench.Args;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.core.json.Json;
import dev.errand.emulators.ElasticMq;
import dev.errand.emulators.MotoServer;
import dev.errand.local.HandlerFactory;
import dev.errand.local.LocalRuntime;
import dev.errand.process.ProcessJobsFunction;
import dev.errand.testkit.CallTimes;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.SlowProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * One variant of the outage benchmark, in a fresh JVM: the local runtime (10 pollers) on ElasticMQ and moto
 * behind a counting proxy, one HTTP provider with a {@code down} target answering 503 at once and an {@code ok}
 * target answering 200 after 50 ms. A backlog is queued for {@code down}, then {@code ok} jobs trickle in through
 * the API for the outage window; then {@code down} recovers and its backlog drains. {@code variant=fleet} runs
 * the template as it is (the TargetState table in moto); {@code variant=invocation} gives the consumer no table
 * name, as a consumer without one runs: each invocation protects its targets on its own. Prints one RESULT.
 */
public final class OutageRun {

    /** Both variants run the same template parameters; retries capped at a minute so both drain within the run. */
    static final Map<String, String> PARAMETERS = Map.of("JobRecords", "Disabled", "MaximumConcurrency", "10", "RetryMaxSeconds", "60");
    /** Before the window: the breaker opens and the backlog is received once. */
    static final Duration SETTLE = Duration.ofSeconds(10);
    /** After the drain the queue must be empty within this, or the run says what was left. */
    static final Duration EMPTY_WITHIN = Duration.ofSeconds(30);
    static final int OK_LATENCY_MS = 50;

    private OutageRun() {}

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        String variant = args.get("variant");
        int backlogSize = args.integer("backlog");
        Duration outage = Duration.ofSeconds(args.integer("outageSeconds"));
        Duration okEvery = Duration.ofMillis(args.integer("okEveryMs"));
        int rate = args.integer("rate");
        Duration giveUp = Duration.ofSeconds(args.integer("drainGiveUpSeconds"));

        AtomicBoolean down = new AtomicBoolean(true);
        Map<String, AtomicInteger> successes = new ConcurrentHashMap<>();
        AwsTally tally = new AwsTally();
        try (ElasticMq mq = ElasticMq.start("127.0.0.1", 0);
             MotoServer moto = MotoServer.start();
             SlowProxy aws = SlowProxy.routing(h -> AwsTally.service(h).equals("sqs") ? mq.endpoint() : moto.endpoint(), Duration.ZERO, tally::count);
             Provider provider = Provider.plain(call -> {
                 boolean failing = call.path().equals("/down") && down.get();
                 if (!failing) {
                     successes.computeIfAbsent(call.jobId(), id -> new AtomicInteger()).incrementAndGet();
                 }
                 return failing ? Reply.status(503) : call.path().equals("/down") ? Reply.status(200)
                         : Reply.status(200).after(Duration.ofMillis(OK_LATENCY_MS));
             })) {
            String targets = "{\"targets\":{\"down\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true,\"ratePerSecond\":" + rate
                    + ",\"burst\":" + rate + "},\"ok\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true}}}";
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            HandlerFactory handlers = (className, env, logs) -> className.equals(ProcessJobsFunction.class.getName())
                    ? new ProcessJobsFunction(env, Math::random, quiet)
                    : HandlerFactory.REFLECTIVE.create(className, env, quiet);
            LocalRuntime.Options options = LocalRuntime.Options.forTests(Path.of("template.yaml"), targets)
                    .withParameters(PARAMETERS).withHandlers(handlers).withAwsEndpoint(aws.url());
            // the old behaviour, as the consumer has it without the table's name: TargetStates.NONE
            options = variant.equals("invocation") ? options.withEnv(Map.of(Env.TARGET_STATE_TABLE, "")) : options;
            try (LocalRuntime runtime = LocalRuntime.start(options)) {
                HttpClient http = HttpClient.newHttpClient();
                // one job first, outside the clock: the functions' first calls are the cold-start benchmark's
                String warm = submit(http, runtime.apiUrl());
                waitFor(() -> successes.containsKey(warm), Duration.ofSeconds(30));
                Map<String, Long> start = tally.snapshot();

                List<Job> backlog = enqueue(runtime, backlogSize);
                System.err.println("backlog of " + backlogSize + " queued; settling " + SETTLE.toSeconds() + " s");
                Thread.sleep(SETTLE);

                Map<String, Long> windowStart = tally.snapshot();
                Instant from = Instant.now();
                Map<String, Instant> okSubmitted = new ConcurrentHashMap<>();
                try (ExecutorService submitters = Executors.newVirtualThreadPerTaskExecutor()) {
                    long next = System.nanoTime();
                    long end = next + outage.toNanos();
                    while (next < end) {
                        submitters.submit(() -> {
                            Instant at = Instant.now();
                            okSubmitted.put(submit(http, runtime.apiUrl()), at);
                            return null;
                        });
                        next += okEvery.toNanos();
                        Thread.sleep(Duration.ofNanos(Math.max(0, next - System.nanoTime())));
                    }
                }
                Instant to = Instant.now();
                Map<String, Long> windowEnd = tally.snapshot();
                long downCallsInWindow = provider.calls().stream()
                        .filter(c -> c.path().equals("/down") && !c.at().isBefore(from) && c.at().isBefore(to)).count();

                Instant recovered = Instant.now();
                down.set(false);
                System.err.println("outage over; draining (gives up after " + giveUp.toSeconds() + " s)");
                Set<String> backlogIds = new HashSet<>(backlog.stream().map(j -> j.id().value()).toList());
                waitFor(() -> successes.keySet().containsAll(backlogIds) && successes.keySet().containsAll(okSubmitted.keySet()), giveUp);
                Instant drained = Instant.now();
                Map<String, Long> drainEnd = tally.snapshot();
                waitFor(() -> depth(runtime, "JobsQueue") == 0, EMPTY_WITHIN);
                int stillQueued = depth(runtime, "JobsQueue");
                Set<String> deadLettered = deadLetters(runtime);
                Map<String, Long> end = tally.snapshot();

                List<Instant> drain = provider.calls().stream().filter(c -> c.path().equals("/down") && !c.at().isBefore(recovered))
                        .map(Provider.Call::at).sorted().toList();
                List<Double> latencies = okSubmitted.entrySet().stream()
                        .flatMap(e -> provider.callsFor(e.getKey()).stream().findFirst()
                                .map(c -> Duration.between(e.getValue(), c.at()).toNanos() / 1e6).stream())
                        .sorted().toList();
                Set<String> submitted = new HashSet<>(backlogIds);
                submitted.addAll(okSubmitted.keySet());
                Set<String> delivered = new HashSet<>(successes.keySet());
                delivered.retainAll(submitted);
                long twice = delivered.stream().filter(id -> successes.get(id).get() > 1).count();
                long both = deadLettered.stream().filter(delivered::contains).count();
                long lost = submitted.stream().filter(id -> !delivered.contains(id) && !deadLettered.contains(id)).count();
                double windowSeconds = Duration.between(from, to).toNanos() / 1e9;
                int jobs = submitted.size();

                Map<String, Object> r = new LinkedHashMap<>();
                r.put("variant", variant);
                r.put("backlog", backlogSize);
                r.put("okJobs", okSubmitted.size());
                r.put("rate", rate);
                r.put("outageSeconds", windowSeconds);
                r.put("downCallsPerSecond", downCallsInWindow / windowSeconds);
                r.put("downCallsInOutage", downCallsInWindow);
                // SQS requests that moved a message (empty receives apart: they measure the local poller, not the backlog)
                Map<String, Long> sqsInWindow = delta(windowEnd, windowStart, "sqs ");
                long emptyReceives = sqsInWindow.getOrDefault(AwsTally.EMPTY_RECEIVE, 0L);
                long sqsWork = sqsInWindow.values().stream().mapToLong(Long::longValue).sum() - emptyReceives;
                double hours = windowSeconds / 3600;
                r.put("sqsInOutageByAction", sqsInWindow);
                r.put("sqsPerBacklogJobHour", sqsWork / (double) backlogSize / hours);
                r.put("receivedPerBacklogJobHour", (windowEnd.getOrDefault(AwsTally.RECEIVED, 0L) - windowStart.getOrDefault(AwsTally.RECEIVED, 0L))
                        / (double) backlogSize / hours);
                r.put("emptyReceivesPerSecond", emptyReceives / windowSeconds);
                r.put("okP50Ms", percentile(latencies, 0.50));
                r.put("okP99Ms", percentile(latencies, 0.99));
                r.put("okMaxMs", latencies.isEmpty() ? 0 : latencies.getLast());
                r.put("okDelivered", latencies.size());
                r.put("recoveryToFirstSuccessMs", drain.isEmpty() ? -1 : Duration.between(recovered, drain.getFirst()).toMillis());
                double drainSeconds = drain.size() < 2 ? 0 : Duration.between(drain.getFirst(), drain.getLast()).toNanos() / 1e9;
                r.put("drainCalls", drain.size());
                r.put("drainSeconds", drainSeconds);
                r.put("drainPerSecond", drainSeconds == 0 ? 0 : drain.size() / drainSeconds);
                r.put("drainBusiestSecond", CallTimes.busiestSecond(drain));
                r.put("drainedInMs", Duration.between(recovered, drained).toMillis());
                // the state table's cost: the whole run (outage and drain) per job, and the drain alone (a healthy, rate-limited target)
                r.put("stateReadsPer1000Jobs", (end.getOrDefault(AwsTally.KEYS_READ, 0L) - start.getOrDefault(AwsTally.KEYS_READ, 0L)) * 1000.0 / jobs);
                r.put("stateWritesPer1000Jobs", writes(end, start) * 1000.0 / jobs);
                r.put("drainStateReadsPer1000Jobs", (drainEnd.getOrDefault(AwsTally.KEYS_READ, 0L) - windowEnd.getOrDefault(AwsTally.KEYS_READ, 0L))
                        * 1000.0 / backlogSize);
                r.put("drainStateWritesPer1000Jobs", writes(drainEnd, windowEnd) * 1000.0 / backlogSize);
                r.put("dynamoDbByAction", delta(end, start, "dynamodb "));
                r.put("writesByKind", delta(end, start, AwsTally.KIND));
                Map<String, Long> time = delta(end, start, AwsTally.TIME);
                r.put("dynamoDbMeanMs", time.getOrDefault("dynamodb micros", 0L) / 1000.0 / Math.max(1, time.getOrDefault("dynamodb requests", 0L)));
                r.put("sqsMeanMs", time.getOrDefault("sqs micros", 0L) / 1000.0 / Math.max(1, time.getOrDefault("sqs requests", 0L)));
                r.put("jobs", jobs);
                r.put("delivered", delivered.size());
                r.put("deadLettered", deadLettered.size());
                r.put("lost", lost);
                r.put("deliveredTwice", twice);
                r.put("deliveredAndDeadLettered", both);
                r.put("stillQueued", stillQueued);
                r.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                System.out.println("RESULT " + Json.write(r));
            }
        }
        System.exit(0);
    }

    /** Puts the backlog straight on the jobs queue as the submit function would, ten to a call. */
    private static List<Job> enqueue(LocalRuntime runtime, int count) {
        JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(10));
        List<Job> jobs = IntStream.range(0, count).mapToObj(i -> new Job(ids.next(),
                new JobRequest("down", HttpMethod.POST, "/down", Map.of(), Optional.of("{\"n\":" + i + "}"), 0), Instant.now(), 0)).toList();
        String url = runtime.queue("JobsQueue").url();
        for (int i = 0; i < jobs.size(); i += 10) {
            List<Job> chunk = jobs.subList(i, Math.min(jobs.size(), i + 10));
            runtime.sqs().sendMessageBatch(b -> b.queueUrl(url).entries(IntStream.range(0, chunk.size())
                    .mapToObj(n -> SendMessageBatchRequestEntry.builder().id(String.valueOf(n)).messageBody(Envelope.encode(chunk.get(n)))
                            .messageGroupId("down").build()).toList()));
        }
        return jobs;
    }

    /** POST /jobs for the ok target; answers the job's id. */
    private static String submit(HttpClient http, URI api) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(api.resolve("/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"ok\",\"path\":\"/ok\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("POST /jobs answered " + response.statusCode() + ": " + response.body());
        }
        return switch (Json.parse(response.body())) {
            case Json.Parsed.Value v when v.value() instanceof Map<?, ?> m && m.get("jobId") instanceof String id -> id;
            case Json.Parsed.Value v -> throw new IllegalStateException("POST /jobs answered no jobId: " + response.body());
            case Json.Parsed.Malformed m -> throw new IllegalStateException("POST /jobs answered " + m.detail());
        };
    }

    /** The job ids on the dead-letter queue, each received and deleted. */
    private static Set<String> deadLetters(LocalRuntime runtime) {
        String url = runtime.queue("DeadLetterQueue").url();
        Set<String> ids = new HashSet<>();
        while (true) {
            List<Message> batch = runtime.sqs().receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
            if (batch.isEmpty()) {
                return ids;
            }
            for (Message m : batch) {
                switch (Envelope.decode(m.body())) {
                    case Envelope.Decoded.Readable r -> ids.add(r.job().id().value());
                    case Envelope.Decoded.Unreadable u -> u.jobId().ifPresent(id -> ids.add(id.value()));
                }
                runtime.sqs().deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
            }
        }
    }

    /** Messages on a queue: visible, in flight or delayed. */
    private static int depth(LocalRuntime runtime, String queue) {
        return runtime.sqs().getQueueAttributes(b -> b.queueUrl(runtime.queue(queue).url()).attributeNamesWithStrings(
                        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"))
                .attributesAsStrings().values().stream().mapToInt(Integer::parseInt).sum();
    }

    private static void waitFor(java.util.function.BooleanSupplier done, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static long writes(Map<String, Long> later, Map<String, Long> earlier) {
        return List.of("UpdateItem", "PutItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems").stream()
                .mapToLong(a -> later.getOrDefault("dynamodb " + a, 0L) - earlier.getOrDefault("dynamodb " + a, 0L)).sum();
    }

    private static Map<String, Long> delta(Map<String, Long> later, Map<String, Long> earlier, String prefix) {
        Map<String, Long> d = new java.util.TreeMap<>();
        later.forEach((k, v) -> {
            if (k.startsWith(prefix) && !k.equals(AwsTally.KEYS_READ) && !k.equals(AwsTally.RECEIVED) && v - earlier.getOrDefault(k, 0L) > 0) {
                d.put(k.substring(prefix.length()), v - earlier.getOrDefault(k, 0L));
            }
        });
        return d;
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
