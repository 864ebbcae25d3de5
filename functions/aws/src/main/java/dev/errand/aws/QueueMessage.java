package dev.errand.aws;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A message to send: body, string attributes, and how long SQS should hold it back (0 to 900 s). */
public record QueueMessage(String body, Map<String, String> attributes, int delaySeconds) {

    public QueueMessage {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
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
