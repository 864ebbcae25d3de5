package dev.errand.bench.coldstart;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A function's cold start, as Lambda would have it minus its own runtime: in a fresh JVM whose class path is
 * the function's jar and this class, read a sample event, build the handler (its no-argument constructor,
 * from the environment) and serve the event; then serve it again a few times, warm. Prints one line,
 * {@code RESULT {...}}, with wall-clock milliseconds since the epoch at each step, so the launcher can
 * count from the moment it started the JVM. It uses only what every function jar holds: the Lambda
 * events library and jackson-jr.
 *
 * <p>Arguments: handler class, event file, number of warm invocations after the first.
 */
public final class ColdStart {

    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        String handlerClass = args[0];
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(Path.of(args[1])));
        int warm = Integer.parseInt(args[2]);
        Object event = json.containsKey("Records") ? sqsEvent(json) : httpEvent(json);
        long eventAt = System.currentTimeMillis();
        PrintStream out = System.out;
        // the function logs JSON lines to stdout; only the result line goes to the launcher
        System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
        @SuppressWarnings("unchecked")
        RequestHandler<Object, Object> handler = (RequestHandler<Object, Object>) Class.forName(handlerClass).getConstructor().newInstance();
        long initAt = System.currentTimeMillis();
        handler.handleRequest(event, BenchContext.lasting(BenchContext.TEMPLATE_TIMEOUT));
        long firstAt = System.currentTimeMillis();
        long[] warmNanos = new long[warm];
        for (int i = 0; i < warm; i++) {
            long start = System.nanoTime();
            handler.handleRequest(event, BenchContext.lasting(BenchContext.TEMPLATE_TIMEOUT));
            warmNanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(warmNanos);
        double warmMedianMs = warm == 0 ? 0 : warmNanos[warm / 2] / 1e6;
        out.println("RESULT {\"mainAt\":" + mainAt + ",\"eventAt\":" + eventAt + ",\"initAt\":" + initAt + ",\"firstAt\":" + firstAt
                + ",\"warmMedianMs\":" + warmMedianMs + "}");
        out.flush();
        System.exit(0);
    }

    @SuppressWarnings("unchecked")
    private static SQSEvent sqsEvent(Map<String, Object> json) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Object o : (List<Object>) json.get("Records")) {
            Map<String, Object> r = (Map<String, Object>) o;
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId((String) r.get("messageId"));
            m.setReceiptHandle((String) r.get("receiptHandle"));
            m.setBody((String) r.get("body"));
            m.setAttributes((Map<String, String>) r.get("attributes"));
            m.setEventSource((String) r.get("eventSource"));
            m.setEventSourceArn((String) r.get("eventSourceARN"));
            m.setAwsRegion((String) r.get("awsRegion"));
            records.add(m);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    @SuppressWarnings("unchecked")
    private static APIGatewayV2HTTPEvent httpEvent(Map<String, Object> json) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion((String) json.get("version"))
                .withRouteKey((String) json.get("routeKey"))
                .withRawPath((String) json.get("rawPath"))
                .withRawQueryString((String) json.get("rawQueryString"))
                .withHeaders((Map<String, String>) json.get("headers"))
                .withBody((String) json.get("body"))
                .withIsBase64Encoded(Boolean.TRUE.equals(json.get("isBase64Encoded")))
                .build();
    }
}
