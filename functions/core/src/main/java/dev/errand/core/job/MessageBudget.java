package dev.errand.core.job;

import dev.errand.core.validation.HeaderRules;
import dev.errand.core.validation.PathRules;

/**
 * What one SQS message must hold for an accepted job, on the jobs queue and in the dead-letter queue, and so
 * the largest body a job may carry: SQS's limit less the most that everything around the body can take.
 * Every part is bounded by a rule checked at submission, so an accepted job always fits.
 */
public final class MessageBudget {

    /** SQS's message limit since 2025: the body plus each attribute's name, type and value. */
    public static final int SQS_MESSAGE_BYTES = 1_048_576;
    /**
     * The envelope's own fields and punctuation: v, jobId (36), submittedAt (30), attempts (10 digits), the
     * method, delaySeconds or runAt (30) and the JSON around them come to about 240 bytes; kept at 512.
     */
    public static final int ENVELOPE_FIELDS_BYTES = 512;
    /** A target's name: at most 64 ASCII characters (Targets' name rule). */
    public static final int TARGET_BYTES = 64;
    /** A path: at most 2,048 characters, all ASCII (PathRules), none escaped in JSON. */
    public static final int PATH_BYTES = PathRules.MAX_LENGTH;
    /**
     * A notify object: its target (64) and path (2,048), the four final states in {@code on} (39) and the JSON
     * around them (41): 2,192 bytes, kept at 2,240.
     */
    public static final int NOTIFY_BYTES = TARGET_BYTES + PATH_BYTES + 128;
    /**
     * Up to 50 headers whose names and values hold at most {@link HeaderRules#MAX_TOTAL_CHARS} characters; a
     * character is at most 2 bytes in the envelope (a Latin-1 letter in UTF-8, an escaped quote or tab), and
     * each header adds 6 bytes of quotes, colon and comma.
     */
    public static final int HEADERS_BYTES = 2 * HeaderRules.MAX_TOTAL_CHARS + 6 * HeaderRules.MAX_HEADERS;
    /**
     * The message attributes of the largest set the consumer sends, a dead letter's: errand.reason (1,024
     * characters and an ellipsis, 3 bytes each at most: 3,094 with name and type), attempts (31), deadAt (49),
     * sourceMessageId (129), jobId (54), target (83), lastStatus (26): 3,466 bytes, kept at 4 KiB.
     */
    public static final int ATTRIBUTES_BYTES = 4 * 1024;
    /**
     * Room for fields the consumer adds to the envelope as a job lives (when it was first put off, a final
     * verdict's reason of up to 1,024 characters, and the like), so adding one never breaks an accepted job.
     */
    public static final int CONSUMER_FIELDS_BYTES = 8 * 1024;
    /** The largest body that always fits: 1,048,576 - 512 - 64 - 2,048 - 2,240 - 65,836 - 4,096 - 8,192 = 965,588 bytes. */
    public static final int LARGEST_BODY_BYTES = SQS_MESSAGE_BYTES - ENVELOPE_FIELDS_BYTES - TARGET_BYTES - PATH_BYTES
            - NOTIFY_BYTES - HEADERS_BYTES - ATTRIBUTES_BYTES - CONSUMER_FIELDS_BYTES;

    private MessageBudget() {}
}
