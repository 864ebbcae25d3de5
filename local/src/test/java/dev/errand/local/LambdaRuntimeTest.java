package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.errand.aws.Env;
import dev.errand.core.json.Json;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import dev.errand.testkit.TestCa;
import dev.errand.testkit.Sqs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployable jars as Lambda runs them: unzipped into a task root, loaded by the Lambda runtime interface
 * client (the same client the managed Java runtimes use), given a sample event from events/ through the
 * Runtime API, with only the environment template.yaml sets. Proves the prebuilt jars work as CodeUri.
 */
class LambdaRuntimeTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theSubmitJarRunsUnderTheLambdaRuntimeAndQueuesTheSampleJob(@TempDir Path task) throws Exception {
        try (Sqs sqs = Sqs.start()) {
            String queue = sqs.createQueue("jobs", Map.of());
            Map<String, String> env = new HashMap<>(sqs.environment());
            env.put(Env.JOBS_QUEUE_URL, queue);
            env.put(Env.TARGETS, "{\"targets\":{\"demo\":{\"baseUrl\":\"https://demo.example.com\"}}}");

            Map<String, Object> response = invoke(task, "functions/submit-job/target/submit-job.jar",
                    "dev.errand.submit.SubmitJobFunction::handleRequest", "events/submit-job.json", env);

            assertThat(response).containsEntry("statusCode", 202);
            assertThat((String) response.get("body")).contains("\"status\":\"queued\"");
            assertThat(sqs.drain(queue)).hasSize(1);
        }
    }

    @Test
    void theConsumerJarRunsUnderTheLambdaRuntimeAndReportsTheSampleBatch(@TempDir Path task) throws Exception {
        try (Sqs sqs = Sqs.start(); Provider provider = Provider.start(call -> Reply.status(Integer.parseInt(call.path().substring(8))))) {
            Map<String, String> env = new HashMap<>(sqs.environment());
            env.put(Env.JOBS_QUEUE_URL, sqs.createQueue("jobs", Map.of()));
            env.put(Env.DEAD_LETTER_QUEUE_URL, sqs.createQueue("dead", Map.of()));
            env.put(Env.TARGETS, "{\"targets\":{\"demo\":{\"baseUrl\":\"" + provider.url() + "\"}}}");

            Map<String, Object> response = invoke(task, "functions/process-jobs/target/process-jobs.jar",
                    "dev.errand.process.ProcessJobsFunction::handleRequest", "events/process-jobs.json", env);

            assertThat(response.get("batchItemFailures").toString()).contains("5f0b6a2e-1c3d-4e5f-8a9b-000000000003")
                    .doesNotContain("000000000001", "000000000002");
            assertThat(provider.calls()).hasSize(3);
        }
    }

    /** Runs one invocation of {@code handler} from {@code jar} under the runtime interface client; answers its response. */
    private static Map<String, Object> invoke(Path task, String jar, String handler, String event, Map<String, String> functionEnv)
            throws Exception {
        unzip(REPOSITORY.resolve(jar), task);
        String payload = Files.readString(REPOSITORY.resolve(event));
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<String> response = new CompletableFuture<>();
        HttpServer runtimeApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        runtimeApi.createContext("/2018-06-01/runtime/", exchange -> serve(exchange, payload, requestId, response));
        runtimeApi.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        runtimeApi.start();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", runtimeClientClasspath(), "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler)
                // the client loads the function from its working directory, /var/task on Lambda
                .directory(task.toFile())
                .redirectErrorStream(true)
                .redirectOutput(task.resolveSibling(task.getFileName() + ".log").toFile());
        builder.environment().putAll(functionEnv);
        builder.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApi.getAddress().getPort());
        builder.environment().put("LAMBDA_TASK_ROOT", task.toString());
        builder.environment().put("_HANDLER", handler);
        builder.environment().put("AWS_LAMBDA_FUNCTION_NAME", "errand-test");
        builder.environment().put("AWS_LAMBDA_FUNCTION_VERSION", "1");
        builder.environment().put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        // a private CA, passed as a user passes one on Lambda: the provider's certificate comes from the test CA
        builder.environment().put("JAVA_TOOL_OPTIONS", String.join(" ", TestCa.get().jvmOptions()));
        Process function = builder.start();
        try {
            String body = response.get(60, TimeUnit.SECONDS);
            return tree(body);
        } finally {
            function.destroyForcibly();
            runtimeApi.stop(0);
        }
    }

    /** The Runtime API's three calls: the next event (once, then nothing), the response, an error. */
    private static void serve(HttpExchange exchange, String payload, String requestId, CompletableFuture<String> response) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (path.endsWith("/invocation/next")) {
                if (response.isDone()) {
                    TestRuntime.pause(java.time.Duration.ofSeconds(30));
                    return;
                }
                exchange.getResponseHeaders().set("Lambda-Runtime-Aws-Request-Id", requestId);
                exchange.getResponseHeaders().set("Lambda-Runtime-Deadline-Ms", String.valueOf(System.currentTimeMillis() + 30_000));
                exchange.getResponseHeaders().set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:errand-test");
                exchange.getResponseHeaders().set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
                // the native client reads each of these; Lambda always sends them
                exchange.getResponseHeaders().set("Lambda-Runtime-Client-Context", "");
                exchange.getResponseHeaders().set("Lambda-Runtime-Cognito-Identity", "");
                exchange.getResponseHeaders().set("Lambda-Runtime-Aws-Tenant-Id", "");
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
                return;
            }
            if (path.endsWith("/response")) {
                response.complete(body);
            } else if (path.endsWith("/error")) {
                response.completeExceptionally(new AssertionError("the function failed: " + body));
            }
            exchange.sendResponseHeaders(202, -1);
        }
    }

    /** The runtime interface client and what it needs, from this test's classpath; the function's code comes from its task root. */
    private static String runtimeClientClasspath() {
        List<String> wanted = List.of("aws-lambda-java-runtime-interface-client", "aws-lambda-java-serialization", "aws-lambda-java-core",
                "utils-lite", "annotations-");
        return String.join(java.io.File.pathSeparator, List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .stream().filter(entry -> wanted.stream().anyMatch(w -> Path.of(entry).getFileName().toString().startsWith(w))).toList());
    }

    private static void unzip(Path jar, Path into) throws IOException {
        try (InputStream in = Files.newInputStream(jar); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                Path target = into.resolve(entry.getName()).normalize();
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(String json) {
        Map<String, Object> parsed = (Map<String, Object>) ((Json.Parsed.Value) Json.parse(json)).value();
        Map<String, Object> normalised = new HashMap<>(parsed);
        parsed.forEach((k, v) -> normalised.put(k, v instanceof Number n && n.doubleValue() == n.intValue() ? n.intValue() : v));
        return normalised;
    }
}
