package dev.errand.bench.batch;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** This process's CPU time, GC time and peak heap in use around one batch. */
final class Meter {

    /** What was measured between {@link #start()} and {@link Started#stop()}. */
    record Reading(long wallNanos, long cpuNanos, long gcMillis, long peakHeapBytes, double loadAverage) {}

    /** Heap in use is sampled this often: a batch lasts tens to thousands of milliseconds. */
    private static final long SAMPLE_MILLIS = 2;

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private Meter() {}

    static Started start() {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong peak = new AtomicLong(MEMORY.getHeapMemoryUsage().getUsed());
        // a platform thread, so the sampler is not queued behind the batch's own virtual threads
        Thread sampler = Thread.ofPlatform().daemon().name("heap-sampler").start(() -> {
            while (running.get()) {
                peak.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return new Started(System.nanoTime(), OS.getProcessCpuTime(), gcMillis(), running, peak, sampler);
    }

    record Started(long wallStart, long cpuStart, long gcStart, AtomicBoolean running, AtomicLong peak, Thread sampler) {
        Reading stop() {
            long wall = System.nanoTime() - wallStart;
            long cpu = OS.getProcessCpuTime() - cpuStart;
            running.set(false);
            try {
                sampler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            peak.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
            return new Reading(wall, cpu, gcMillis() - gcStart, peak.get(), OS.getSystemLoadAverage());
        }
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }
}
