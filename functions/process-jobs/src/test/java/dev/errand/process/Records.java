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
            for (Message m : sqs.client().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages()) {
                SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
                r.setMessageId(m.messageId());
                r.setReceiptHandle(m.receiptHandle());
                r.setBody(m.body());
                r.setAttributes(new HashMap<>(m.attributesAsStrings()));
                records.add(r);
            }
        }
        return records;
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
