package dev.errand.bench.batch;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/** This process's CPU time, GC time and heap peak around one batch. */
final class Meter {

    /** What was measured between {@link #start()} and {@link Started#stop()}. */
    record Reading(long wallNanos, long cpuNanos, long gcMillis, long peakHeapBytes) {}

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final List<MemoryPoolMXBean> HEAP = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();

    private Meter() {}

    static Started start() {
        HEAP.forEach(MemoryPoolMXBean::resetPeakUsage);
        return new Started(System.nanoTime(), OS.getProcessCpuTime(), gcMillis());
    }

    record Started(long wallStart, long cpuStart, long gcStart) {
        Reading stop() {
            long wall = System.nanoTime() - wallStart;
            long cpu = OS.getProcessCpuTime() - cpuStart;
            // the sum of each pool's peak: an upper bound of the heap in use at any one moment
            long peak = HEAP.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            return new Reading(wall, cpu, gcMillis() - gcStart, peak);
        }
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }
}
