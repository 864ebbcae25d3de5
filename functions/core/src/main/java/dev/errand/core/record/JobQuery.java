package dev.errand.core.record;

import dev.errand.core.job.JobId;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One page of a job search: optional status and target, an optional window on the last change, at most
 * {@code limit} records, newest change first, after the record whose change key is {@code after}.
 *
 * <p>A change key orders records by their last change and is unique: the change's epoch milliseconds,
 * zero-padded to 15 digits (so text order is time order), then '#' and the job id. The list indexes sort by it.
 */
public record JobQuery(Optional<JobStatus> status, Optional<String> target, Optional<Instant> since, Optional<Instant> until,
                       int limit, Optional<String> after) {

    public static final int MAX_LIMIT = 100;
    public static final int DEFAULT_LIMIT = 50;
    private static final Pattern CHANGE_KEY = Pattern.compile("[0-9]{15}#[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    public static String changeKey(Instant changed, JobId id) {
        return String.format("%015d#%s", changed.toEpochMilli(), id.value());
    }

    /** The lowest key a change at {@code at} can have, and the highest. */
    public static String lowestKey(Instant at) {
        return String.format("%015d#", at.toEpochMilli());
    }

    public static String highestKey(Instant at) {
        return String.format("%015d#~", at.toEpochMilli());
    }

    public static boolean isChangeKey(String text) {
        return CHANGE_KEY.matcher(text).matches();
    }
}
