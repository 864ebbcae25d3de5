package dev.errand.core.job;

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
        long millis = clock.millis();
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        String hex = HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
        return new JobId(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20));
    }
}
