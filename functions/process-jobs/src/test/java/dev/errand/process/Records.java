package dev.errand.process;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.errand.testkit.Sqs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/** SQS records made the way Lambda's event source makes them: sent to a real queue, then received. */
final class Records {

    private Records() {}

    static List<SQSEvent.SQSMessage> viaQueue(Sqs sqs, String queueUrl, List<String> bodies) {
        for (int i = 0; i < bodies.size(); i += 10) {
            List<String> chunk = bodies.subList(i, Math.min(bodies.size(), i + 10));
            sqs.client().sendMessageBatch(b -> b.queueUrl(queueUrl).entries(IntStream.range(0, chunk.size())
                    .mapToObj(n -> SendMessageBatchRequestEntry.builder().id(String.valueOf(n)).messageBody(chunk.get(n)).build())
                    .toList()));
        }
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        while (records.size() < bodies.size()) {
            records.addAll(receive(sqs, queueUrl, bodies.size() - records.size(), java.time.Duration.ofSeconds(1)));
        }
        return records;
    }

    /** What the event source would hand the function now: up to {@code max} messages, waiting at most {@code wait}. */
    static List<SQSEvent.SQSMessage> receive(Sqs sqs, String queueUrl, int max, java.time.Duration wait) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        long end = System.nanoTime() + wait.toNanos();
        while (records.size() < max && System.nanoTime() < end) {
            // long-poll until something arrives, then take what else is there at once, as a batching window of 0 does
            int waitSeconds = records.isEmpty() ? 1 : 0;
            List<Message> got = sqs.client().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(Math.min(10, max - records.size()))
                    .waitTimeSeconds(waitSeconds).messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All")).messages();
            got.forEach(m -> records.add(record(m)));
            if (got.isEmpty() && !records.isEmpty()) {
                break;
            }
        }
        return records;
    }

    static SQSEvent.SQSMessage record(Message m) {
        SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
        r.setMessageId(m.messageId());
        r.setReceiptHandle(m.receiptHandle());
        r.setBody(m.body());
        r.setAttributes(new HashMap<>(m.attributesAsStrings()));
        java.util.Map<String, SQSEvent.MessageAttribute> attributes = new HashMap<>();
        m.messageAttributes().forEach((k, v) -> {
            SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
            a.setDataType(v.dataType());
            a.setStringValue(v.stringValue());
            attributes.put(k, a);
        });
        r.setMessageAttributes(attributes);
        return r;
    }

    static SQSEvent event(List<SQSEvent.SQSMessage> records) {
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    static List<String> failed(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }
}
