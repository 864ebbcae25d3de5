package dev.errand.bench.world;

import com.sun.management.OperatingSystemMXBean;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Sqs;
import dev.errand.testkit.TestCa;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * the provider (HTTPS with a CA made here, and a plain one), SQS (ElasticMQ) and a control port that prepares
 * batches and reports the provider's load. Prints one line {@code WORLD provider=... plainProvider=... sqs=...
 * control=... truststore=...} and runs until its standard input closes.
 *
 * <p>Control: {@code POST /prepare?queue=q&n=N&paths=/a,/b} purges queue q (and q-dlq), puts N jobs on it
 * (paths used in turn), receives them as Lambda would and answers one line per record:
 * {@code messageId TAB receiptHandle TAB receiveCount TAB base64(body)}, after two lines naming the queue
 * URLs. {@code POST /stats} answers {@code cpuNanos served peakInFlight connections} and resets the peak.
 */
public final class World {

    /** Answers {@code /sleep/{ms}/status/{code}} after ms, {@code /status/{code}} at once. */
    private static final Pattern SLEEP = Pattern.compile("/sleep/(\\d{1,6})/status/(\\d{3})");
    private static final Pattern STATUS = Pattern.compile("/status/(\\d{3})");

    /** Over HTTPS (HTTP/2 and HTTP/1.1 by ALPN), as real providers are; every suite but the client comparison uses it. */
    private final Provider provider;
    /** Plain HTTP, for the client comparison: the CRT client trusts the operating system's CAs only, never ours. */
    private final Provider plainProvider;
    private final Sqs sqs;
    private final HttpServer control;
    private final JobIds ids = new JobIds(Clock.systemUTC(), new SecureRandom());

    private World() throws IOException {
        provider = Provider.start(Provider.Options.HTTPS.unrecorded(), World::answer);
        plainProvider = Provider.start(Provider.Options.PLAIN.unrecorded(), World::answer);
        sqs = Sqs.start();
        control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        control.createContext("/prepare", this::prepare);
        control.createContext("/stats", this::stats);
        control.start();
    }

    public static void main(String[] args) throws IOException {
        World world = new World();
        System.out.println("WORLD provider=" + world.provider.url() + " plainProvider=" + world.plainProvider.url()
                + " sqs=" + world.sqs.endpoint() + " control=http://127.0.0.1:" + world.control.getAddress().getPort()
                + " truststore=" + TestCa.get().trustStore().toUri());
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the parent closes our input (or dies)
        }
        world.control.stop(0);
        world.provider.close();
        world.plainProvider.close();
        world.sqs.close();
        System.exit(0);
    }

    private void stats(HttpExchange exchange) throws IOException {
        long cpu = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        int peak = Math.max(provider.resetPeak(), plainProvider.resetPeak());
        answer(exchange, cpu + " " + (provider.served() + plainProvider.served()) + " " + peak + " "
                + (provider.connections() + plainProvider.connections()));
    }

    private static Provider.Reply answer(Provider.Call call) {
        String path = call.path();
        Matcher sleep = SLEEP.matcher(path);
        Matcher status = STATUS.matcher(path);
        if (sleep.matches()) {
            return Provider.Reply.status(Integer.parseInt(sleep.group(2))).after(java.time.Duration.ofMillis(Long.parseLong(sleep.group(1))));
        }
        return Provider.Reply.status(status.matches() ? Integer.parseInt(status.group(1)) : 200);
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
