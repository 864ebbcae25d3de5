package dev.errand.core.delivery;

/**
 * A queue message as the consumer receives it; {@code receiveCount} is SQS's ApproximateReceiveCount, and
 * {@code redriven} says it came back from the dead-letter queue (it carries a dead letter's reason).
 */
public record IncomingMessage(String messageId, String body, int receiveCount, boolean redriven) {

    public IncomingMessage(String messageId, String body, int receiveCount) {
        this(messageId, body, receiveCount, false);
    }

    public IncomingMessage {
        if (receiveCount < 1) {
            throw new IllegalArgumentException("a received message has been received at least once, was " + receiveCount);
        }
    }
}
