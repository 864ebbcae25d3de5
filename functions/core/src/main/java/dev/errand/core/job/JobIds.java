package dev.errand.core.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/** Makes UUIDv7 job ids (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. */
public final class JobIds {

    private final Clock clock;
    private final RandomGenerator random;

    public JobIds(Clock clock, RandomGenerator random) {
        this.clock = clock;
        this.random = random;
    }

    public JobId next() {
        return of(clock.millis(), random.nextLong(), random.nextLong());
    }

    /**
     * The one id that {@code from} and {@code salt} always give: a UUIDv7 with {@code from}'s time and bits of
     * their SHA-256, so a step repeated after a crash names the same job (a notification, say) and is deduplicated.
     */
    public static JobId derived(JobId from, String salt) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((from.value() + "\n" + salt).getBytes(StandardCharsets.UTF_8));
            long millis = Long.parseLong(from.value().replace("-", "").substring(0, 12), 16);
            return of(millis, java.nio.ByteBuffer.wrap(hash, 0, 8).getLong(), java.nio.ByteBuffer.wrap(hash, 8, 8).getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static JobId of(long millis, long randomHigh, long randomLow) {
        long high = (millis << 16) | 0x7000L | (randomHigh & 0x0FFFL);
        long low = (randomLow & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        String hex = HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
        return new JobId(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20));
    }
}
