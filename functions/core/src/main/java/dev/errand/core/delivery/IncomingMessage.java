package dev.errand.core.delivery;

/** A queue message as the consumer receives it; {@code receiveCount} is SQS's ApproximateReceiveCount. */
public record IncomingMessage(String messageId, String body, int receiveCount) {

    public IncomingMessage {
        if (receiveCount < 1) {
            throw new IllegalArgumentException("a received message has been received at least once, was " + receiveCount);
        }
    }
}
