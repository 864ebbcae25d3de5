package dev.errand.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Tests against one local Errand, started once for all the test classes of a run (it takes seconds), with
 * both queues emptied before each test. Tests use paths and job ids of their own.
 */
@ExtendWith(WithLocalErrand.Shared.class)
abstract class WithLocalErrand {

    static LocalErrand errand;

    @BeforeEach
    void emptyQueues() {
        errand.purge();
    }

    /** Keeps the one local Errand in JUnit's root store, which closes it after the last test. */
    static final class Shared implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            errand = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .computeIfAbsent(LocalErrand.class, k -> LocalErrand.start(), LocalErrand.class);
        }
    }
}
