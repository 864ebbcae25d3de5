package dev.errand.aws;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart's runtime hooks through CRaC: work to do just before the snapshot, and just after a restore.
 * Without SnapStart (locally, in tests) the hooks are registered and never called.
 */
public final class SnapStart {

    /** CRaC keeps registered resources weakly: these references keep the hooks alive. */
    private static final List<Resource> HOOKS = new CopyOnWriteArrayList<>();

    private SnapStart() {}

    public static void register(Runnable beforeSnapshot, Runnable afterRestore) {
        Resource hooks = new Resource() {
            @Override
            public void beforeCheckpoint(Context<? extends Resource> context) {
                beforeSnapshot.run();
            }

            @Override
            public void afterRestore(Context<? extends Resource> context) {
                afterRestore.run();
            }
        };
        HOOKS.add(hooks);
        Core.getGlobalContext().register(hooks);
    }
}
