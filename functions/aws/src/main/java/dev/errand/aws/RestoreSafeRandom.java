package dev.errand.aws;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * A SecureRandom that can be replaced after a SnapStart restore: every environment restored from one
 * snapshot then draws from its own fresh generator, so job ids stay unique across them.
 */
public final class RestoreSafeRandom implements RandomGenerator {

    private volatile SecureRandom delegate = new SecureRandom();

    /** Call from the CRaC afterRestore hook. */
    public void renew() {
        delegate = new SecureRandom();
    }

    @Override
    public long nextLong() {
        return delegate.nextLong();
    }
}
