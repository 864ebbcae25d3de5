package dev.errand.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What a rate limit is checked against: the most calls any one-second window saw, counted on the provider's side. */
public final class CallTimes {

    private CallTimes() {}

    /** The most calls any one-second window saw. */
    public static long busiestSecond(List<Instant> calls) {
        List<Instant> sorted = calls.stream().sorted().toList();
        long most = 0;
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (Duration.between(sorted.get(from), sorted.get(to)).compareTo(Duration.ofSeconds(1)) >= 0) {
                from++;
            }
            most = Math.max(most, to - from + 1);
        }
        return most;
    }
}
