package dev.errand.cli;

import dev.errand.core.json.Json;
import dev.errand.core.target.Targets;
import dev.errand.local.HandlerFactory;
import dev.errand.local.LocalRuntime;
import dev.errand.process.ProcessJobsFunction;
import dev.errand.testkit.Provider;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Errand running locally for the CLI's tests: the real handlers, ElasticMQ, moto for job records, two targets
 * ("crm", and {@link #PAUSED_TARGET}) served by one recording provider; and the CLI pointed at it, run in this JVM or in a child JVM.
 */
final class LocalErrand implements AutoCloseable {

    /** Quick retries: a job answered 503 is dead after two calls, about two seconds apart. */
    static final Map<String, String> QUICK = Map.of("MaxAttempts", "2", "RetryBaseSeconds", "1", "RetryMaxSeconds", "2",
            "ConsumerTimeoutSeconds", "30");

    /**
     * The target the pause tests pause and resume: its own, so that no breaker another test opened on crm holds
     * its jobs; with a rate limit, for the commands to show.
     */
    static final String PAUSED_TARGET = "erp";
    static final int PAUSED_TARGET_RATE = 2;

    final Provider provider;
    final LocalRuntime runtime;
    private final Map<String, Integer> answers;

    private LocalErrand(Provider provider, LocalRuntime runtime, Map<String, Integer> answers) {
        this.provider = provider;
        this.runtime = runtime;
        this.answers = answers;
    }

    /** The provider answers a path as {@link #answer} said, else /status/NNN with NNN, else 200. */
    static LocalErrand start() {
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        Provider provider = Provider.start(call -> Provider.Reply.status(answers.getOrDefault(call.path(), statusOf(call.path()))));
        HandlerFactory noJitter = (className, env, logs) -> className.equals(ProcessJobsFunction.class.getName())
                ? new ProcessJobsFunction(env, () -> 1.0, logs)
                : HandlerFactory.REFLECTIVE.create(className, env, logs);
        // the tests' 503s are jobs meant to die: a fleet-wide breaker opened by one test's failures would hold the next test's jobs
        LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.forTests(Path.of("../template.yaml"),
                        "{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true,\"timeoutMs\":10000,"
                                + "\"breakerThreshold\":" + Targets.MAX_BREAKER_THRESHOLD + "},"
                                + "\"" + PAUSED_TARGET + "\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true,\"timeoutMs\":10000,"
                                + "\"ratePerSecond\":" + PAUSED_TARGET_RATE + ",\"burst\":" + PAUSED_TARGET_RATE + "}}}")
                .withParameters(QUICK)
                .withHandlers(noJitter)
                .withMetrics(true));
        return new LocalErrand(provider, runtime, answers);
    }

    private static int statusOf(String path) {
        return path.startsWith("/status/") ? Integer.parseInt(path.substring("/status/".length(), "/status/".length() + 3)) : 200;
    }

    /** From now on the provider answers calls to {@code path} with {@code status}: a cause fixed, or a new one. */
    void answer(String path, int status) {
        answers.put(path, status);
    }

    /** The calls the provider received for a job (its Idempotency-Key is the job id). */
    int callsFor(String jobId) {
        return provider.callsFor(jobId).size();
    }

    /** What the CLI printed and how it ended. */
    record Run(int code, String out, String err) {}

    String jobsQueue() {
        return runtime.queue("JobsQueue").url();
    }

    String deadLetterQueue() {
        return runtime.queue("DeadLetterQueue").url();
    }

    /** Where the local runtime is, as options: each test names it all, as an operator would on AWS through --stack. */
    List<String> where() {
        return List.of("--endpoint-url", runtime.sqsEndpoint().toString(), "--jobs-queue", jobsQueue(), "--dlq", deadLetterQueue(),
                "--api-url", runtime.apiUrl().toString(), "--table", runtime.table("JobsTable").orElseThrow());
    }

    /** The operator's environment: any credentials do for the emulators; DynamoDB is on moto. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "operator");
        env.put("AWS_SECRET_ACCESS_KEY", "operator");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", runtime.motoEndpoint().orElseThrow().toString());
        return env;
    }

    /** Runs the CLI in this JVM with the runtime's whereabouts after the arguments. */
    Run cli(String... args) {
        return cli(new StopSignal(), args);
    }

    Run cli(StopSignal stop, String... args) {
        return bare(new Context(env(), Clock.systemUTC(), stop, false), withWhere(args));
    }

    /** Runs the CLI in this JVM with exactly these arguments and this context. */
    static Run bare(Context context, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Errand.commandLine(context);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    /** Starts the CLI in a child JVM, as scripts/errand runs it; its output goes to these files. */
    Process child(File out, File err, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", testClassPath(), Main.class.getName()));
        command.addAll(withWhere(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
        builder.environment().putAll(env());
        return builder.start();
    }

    private List<String> withWhere(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(where());
        return all;
    }

    /** Surefire runs tests from a manifest-only jar; its real class path is in this property. */
    private static String testClassPath() {
        return Optional.ofNullable(System.getProperty("surefire.test.class.path")).orElseGet(() -> System.getProperty("java.class.path"));
    }

    /** Submits a job through the API as a client would; answers its id. */
    String submit(String job) {
        HttpResponse<String> answer = http(HttpRequest.newBuilder(runtime.apiUrl().resolve("/jobs"))
                .POST(HttpRequest.BodyPublishers.ofString(job)).header("Content-Type", "application/json").build());
        if (answer.statusCode() != 202) {
            throw new AssertionError("the API refused " + job + ": " + answer.body());
        }
        return String.valueOf(json(answer.body()).get("jobId"));
    }

    /** The job's record as GET /jobs/{id} shows it. */
    Map<String, Object> record(String jobId) {
        HttpResponse<String> answer = http(HttpRequest.newBuilder(runtime.apiUrl().resolve("/jobs/" + jobId)).GET().build());
        if (answer.statusCode() != 200) {
            throw new AssertionError("no record of " + jobId + ": " + answer.statusCode() + " " + answer.body());
        }
        return json(answer.body());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String text) {
        return (Map<String, Object>) ((Json.Parsed.Value) Json.parse(text)).value();
    }

    /** Empties both queues, so each test starts from nothing. */
    void purge() {
        runtime.sqs().purgeQueue(b -> b.queueUrl(jobsQueue()));
        runtime.sqs().purgeQueue(b -> b.queueUrl(deadLetterQueue()));
    }

    private static HttpResponse<String> http(HttpRequest request) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("the API did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Every message on a queue, each read once and left there (made visible again). */
    List<Message> peek(String queueUrl) {
        List<Message> all = new ArrayList<>();
        List<Message> batch;
        do {
            batch = runtime.sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0).visibilityTimeout(30)
                    .messageAttributeNames("All").messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            all.addAll(batch);
        } while (!batch.isEmpty());
        all.forEach(m -> runtime.sqs().changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()).visibilityTimeout(0)));
        return all;
    }

    /** Messages on a queue: visible, in flight or delayed. */
    int depth(String queueUrl) {
        return runtime.sqs().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNamesWithStrings(
                        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"))
                .attributesAsStrings().values().stream().mapToInt(Integer::parseInt).sum();
    }

    static void within(Duration limit, String what, BooleanSupplier done) {
        long end = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            pause(Duration.ofMillis(100));
        }
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        runtime.close();
        provider.close();
    }
}
