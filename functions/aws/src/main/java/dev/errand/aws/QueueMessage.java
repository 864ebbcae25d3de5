package dev.errand.aws;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A message to send: body, string attributes, how long SQS should hold it back (0 to 900 s), and its
 * message group: the job's target, so SQS fair queues keep one target's backlog from delaying the others.
 */
public record QueueMessage(String body, Map<String, String> attributes, int delaySeconds, Optional<String> group) {

    public QueueMessage {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    public QueueMessage(String body, Map<String, String> attributes, int delaySeconds) {
        this(body, attributes, delaySeconds, Optional.empty());
    }

    public QueueMessage inGroup(String groupId) {
        return new QueueMessage(body, attributes, delaySeconds, Optional.of(groupId));
    }

    /** The size SQS counts against its limits: the body plus each attribute's name, type and value. */
    public int sqsBytes() {
        int bytes = utf8(body);
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            bytes += utf8(a.getKey()) + utf8(a.getValue()) + "String".length();
        }
        return bytes;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
