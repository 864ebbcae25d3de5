package dev.errand.bench.world;

import com.sun.management.OperatingSystemMXBean;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.testkit.Sqs;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Everything outside the consumer, in its own process so the consumer's CPU and heap figures are its own:
 * the provider, SQS (ElasticMQ) and a control port that prepares batches and reports the provider's load.
 * Prints one line {@code WORLD provider=... sqs=... control=...} and runs until its standard input closes.
 *
 * <p>Control: {@code POST /prepare?queue=q&n=N&paths=/a,/b} purges queue q (and q-dlq), puts N jobs on it
 * (paths used in turn), receives them as Lambda would and answers one line per record:
 * {@code messageId TAB receiptHandle TAB receiveCount TAB base64(body)}, after two lines naming the queue
 * URLs. {@code POST /stats} answers {@code cpuNanos served peakInFlight} and resets the peak.
 */
public final class World {

    private final LatencyProvider provider;
    private final Sqs sqs;
    private final HttpServer control;
    private final JobIds ids = new JobIds(Clock.systemUTC(), new SecureRandom());

    private World() throws IOException {
        provider = new LatencyProvider();
        sqs = Sqs.start();
        control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        control.createContext("/prepare", this::prepare);
        control.createContext("/stats", this::stats);
        control.start();
    }

    public static void main(String[] args) throws IOException {
        World world = new World();
        System.out.println("WORLD provider=" + world.provider.url() + " sqs=" + world.sqs.endpoint()
                + " control=http://127.0.0.1:" + world.control.getAddress().getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the parent closes our input (or dies)
        }
        world.control.stop(0);
        world.provider.close();
        world.sqs.close();
        System.exit(0);
    }

    private void stats(HttpExchange exchange) throws IOException {
        long cpu = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        answer(exchange, cpu + " " + provider.served() + " " + provider.resetPeak());
    }

    private void prepare(HttpExchange exchange) throws IOException {
        Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
        String name = q.get("queue");
        int n = Integer.parseInt(q.get("n"));
        List<String> paths = List.of(q.get("paths").split(","));
        String jobs = sqs.createQueue(name, Map.of("VisibilityTimeout", "900"));
        String dlq = sqs.createQueue(name + "-dlq", Map.of());
        sqs.client().purgeQueue(b -> b.queueUrl(jobs));
        sqs.client().purgeQueue(b -> b.queueUrl(dlq));
        List<String> bodies = IntStream.range(0, n).mapToObj(i -> Envelope.encode(new Job(ids.next(),
                new JobRequest("demo", HttpMethod.POST, paths.get(i % paths.size()), Map.of(), Optional.of("{\"n\":" + i + "}"), 0),
                Instant.now(), 0))).toList();
        for (int i = 0; i < n; i += 10) {
            List<String> chunk = bodies.subList(i, Math.min(n, i + 10));
            sqs.client().sendMessageBatch(b -> b.queueUrl(jobs).entries(IntStream.range(0, chunk.size())
                    .mapToObj(k -> SendMessageBatchRequestEntry.builder().id(String.valueOf(k)).messageBody(chunk.get(k)).build())
                    .toList()));
        }
        StringBuilder out = new StringBuilder("jobs\t" + jobs + "\ndlq\t" + dlq + "\n");
        List<Message> received = new ArrayList<>();
        while (received.size() < n) {
            received.addAll(sqs.client().receiveMessage(b -> b.queueUrl(jobs).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages());
        }
        for (Message m : received) {
            out.append(m.messageId()).append('\t').append(m.receiptHandle()).append('\t')
                    .append(m.attributesAsStrings().getOrDefault("ApproximateReceiveCount", "1")).append('\t')
                    .append(Base64.getEncoder().encodeToString(m.body().getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        answer(exchange, out.toString());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static void answer(HttpExchange exchange, String text) throws IOException {
        try (exchange) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
