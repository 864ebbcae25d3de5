package dev.errand.bench.batch;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.errand.core.delivery.IncomingMessage;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A batch the world put on its queue and received, as Lambda would hand it to the consumer. */
public record Prepared(String jobsQueueUrl, String deadLetterQueueUrl, List<Record> records) {

    record Record(String messageId, String receiptHandle, int receiveCount, String body) {}

    public Prepared {
        records = List.copyOf(records);
    }

    /** Asks the world's control port for {@code n} jobs on queue {@code queue}, paths used in turn. */
    public static Prepared fetch(Control control, String queue, int n, List<String> paths) throws IOException {
        String query = "queue=" + queue + "&n=" + n + "&paths=" + URLEncoder.encode(String.join(",", paths), StandardCharsets.UTF_8);
        String[] lines = control.post("/prepare?" + query).split("\n");
        List<Record> records = new ArrayList<>();
        for (int i = 2; i < lines.length; i++) {
            String[] f = lines[i].split("\t");
            records.add(new Record(f[0], f[1], Integer.parseInt(f[2]),
                    new String(Base64.getDecoder().decode(f[3]), StandardCharsets.UTF_8)));
        }
        return new Prepared(lines[0].split("\t")[1], lines[1].split("\t")[1], records);
    }

    SQSEvent event() {
        SQSEvent event = new SQSEvent();
        event.setRecords(records.stream().map(r -> {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId(r.messageId());
            m.setReceiptHandle(r.receiptHandle());
            m.setBody(r.body());
            Map<String, String> attributes = new HashMap<>();
            attributes.put("ApproximateReceiveCount", String.valueOf(r.receiveCount()));
            m.setAttributes(attributes);
            m.setEventSource("aws:sqs");
            return m;
        }).toList());
        return event;
    }

    List<IncomingMessage> messages() {
        return records.stream().map(r -> new IncomingMessage(r.messageId(), r.body(), r.receiveCount())).toList();
    }
}
