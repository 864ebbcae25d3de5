package dev.errand.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes every test JVM that has the testkit trust its {@link TestCa} before any test class is loaded. The JDK
 * reads the trust-store properties once, when something first uses TLS (building an HTTP client is enough),
 * so setting them when a provider starts would be too late for a test that built its client first.
 */
public final class TrustTestCa implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        TestCa.trustedByThisJvm();
    }
}
