package dev.gort.pprof;

import dev.gort.runtime.ProfRt;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A CPU profile from JFR's samples: Go's StartCPUProfile / StopCPUProfile
 * (runtime/pprof/pprof.go) and the profile its profileBuilder makes of the samples
 * (proto.go: addCPUData, build), for {@code /debug/pprof/profile?seconds=N}.
 *
 * <p>{@link #start} starts a JFR recording of CPU samples at Go's rate ({@code hz = 100}:
 * a sample per 10 ms of a thread's CPU time) and fails, as Go's, when a profile already
 * runs ({@code cpu profiling already in use}); {@link #stop} stops it, reads its samples
 * and writes Go's proto: sample types {@code samples/count} and {@code cpu/nanoseconds},
 * period type {@code cpu/nanoseconds}, period 1e9/hz, one sample per distinct stack with
 * the value [count, CPU time], time_nanos the start, duration_nanos the profile's length.
 * Every Java thread is sampled (Go profiles the whole process), goroutines with their own
 * frames ({@link JfrStacks}); samples carry no labels (Go's carry only the goroutine's
 * pprof labels, which gort does not have).
 *
 * <p>Which samples. {@code jdk.CPUTimeSample} (JDK 25, Linux) where the JVM has it: a
 * timer per thread on its CPU time, Go's own mechanism since Go 1.18 (timer_create per
 * thread), so a sample stands for 10 ms of CPU, in Java or native code, and every thread
 * that burns CPU is sampled. Elsewhere {@code jdk.ExecutionSample} every 10 ms: the JVM's
 * sampler visits threads that are in Java code whether or not they are on a CPU, and only
 * a few of them per period. Measured here (2 cores, 8 threads spinning 2 s, 3.99 s of
 * process CPU): CPUTimeSample 395 samples (3.95 s), ExecutionSample 191 (1.91 s); with
 * one thread both agree with the CPU time. Samples JFR could not queue
 * ({@code jdk.CPUTimeSamplesLost}) become a sample of Go's
 * {@code runtime/pprof.lostProfileEvent}, as Go reports its profiling buffer's overflow.
 *
 * <p>Rejected: adding {@code jdk.NativeMethodSample}. It samples threads that are in native
 * code, and a thread blocked in a system call (a socket read, the poller's epoll_wait,
 * {@code Object.wait}) is in native code while it burns no CPU, so idle threads would
 * show as busy ones; Go's profile counts CPU time only. CPUTimeSample already covers
 * native code that does burn CPU.
 *
 * <p>Differences from Go: the JVM's own threads (GC, JIT compilers) are not sampled (Go's
 * profile shows its GC workers); with ExecutionSample, CPU time is estimated as above;
 * the profile is built when it stops (Go's writer streams as it goes); a recording of the
 * same event by someone else at a shorter period makes ExecutionSample samples more
 * frequent than 100 Hz (CPUTimeSample says each sample's period, which is used).
 */
final class CpuProfile {
    /** Go's StartCPUProfile: {@code const hz = 100}. */
    static final int HZ = 100;
    /** Go's b.period = 1e9 / hz. */
    static final long PERIOD = 1_000_000_000L / HZ;

    static final String CPU_TIME_SAMPLE = "jdk.CPUTimeSample";
    static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
    private static final String CPU_TIME_SAMPLES_LOST = "jdk.CPUTimeSamplesLost";

    /** Go's cpu.profiling: one profile at a time (CAS to start, set false when the profile is written). */
    private static final AtomicBoolean profiling = new AtomicBoolean();

    /** Go's lostProfileEvent: stands for samples the profiler lost. */
    static final ProfRt.Frame LOST = new ProfRt.Frame(0xffffe, "runtime/pprof.lostProfileEvent", "pprof.go", 0, false);

    private final Recording recording;
    private final String event;
    private final Instant start;
    private final long startNanos;

    private CpuProfile(Recording recording, String event, Instant start) {
        this.recording = recording;
        this.event = event;
        this.start = start;
        this.startNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
    }

    /**
     * Go's StartCPUProfile, with the sample event to use ({@link #sampleEvent()} chooses).
     *
     * @throws IllegalStateException with Go's {@code cpu profiling already in use}, or why
     *     JFR cannot record
     */
    static CpuProfile start(String event) {
        if (!profiling.compareAndSet(false, true)) {
            throw new IllegalStateException("cpu profiling already in use");
        }
        try {
            if (!FlightRecorder.isAvailable()) {
                throw new IllegalStateException("JFR (the JDK Flight Recorder) is not available in this JVM");
            }
            Recording r = new Recording();
            r.setName("gort CPU profile");
            for (String e : GortJfrEvents.NAMES) {
                r.disable(e);
            }
            if (event.equals(CPU_TIME_SAMPLE)) {
                r.enable(CPU_TIME_SAMPLE).with("throttle", PERIOD / 1_000_000 + "ms").withStackTrace();
                r.enable(CPU_TIME_SAMPLES_LOST);
            } else {
                r.enable(EXECUTION_SAMPLE).withPeriod(Duration.ofNanos(PERIOD)).withStackTrace();
            }
            Instant t0 = Instant.now();
            r.start();
            return new CpuProfile(r, event, t0);
        } catch (IllegalStateException e) {
            profiling.set(false);
            throw e;
        } catch (RuntimeException | Error e) {
            profiling.set(false);
            throw new IllegalStateException(e.toString(), e);
        }
    }

    /** Whether a profile runs (Go's cpu.profiling). */
    static boolean running() {
        return profiling.get();
    }

    /** The choice, computed once; volatile: a racing first computation gives the same answer twice. */
    private static volatile String sampleEvent;

    /** jdk.CPUTimeSample where the JVM has it and its sampler works (Linux), else jdk.ExecutionSample. */
    static String sampleEvent() {
        String e = sampleEvent;
        if (e == null) {
            e = EXECUTION_SAMPLE;
            if (System.getProperty("os.name", "").startsWith("Linux") && FlightRecorder.isAvailable()) {
                for (EventType t : FlightRecorder.getFlightRecorder().getEventTypes()) {
                    if (t.getName().equals(CPU_TIME_SAMPLE)) {
                        e = CPU_TIME_SAMPLE;
                    }
                }
            }
            sampleEvent = e;
        }
        return e;
    }

    /**
     * Go's StopCPUProfile: stops the recording and returns the profile (gzipped proto).
     * Always ends the profile, so another may start.
     */
    byte[] stop() throws IOException {
        Path file = null;
        try {
            recording.stop();
            Instant end = Instant.now();
            file = Files.createTempFile("gort-cpu-", ".jfr");
            recording.dump(file);
            Map<List<ProfRt.Frame>, long[]> counts = new LinkedHashMap<>(); // Go's profMap, in its order
            long lost = 0;
            try (RecordingFile in = new RecordingFile(file)) {
                while (in.hasMoreEvents()) {
                    RecordedEvent e = in.readEvent();
                    String name = e.getEventType().getName();
                    if (e.getStartTime().isBefore(start)) {
                        continue; // a chunk shared with another recording holds older samples
                    }
                    if (name.equals(event)) {
                        long period = name.equals(CPU_TIME_SAMPLE) ? samplingPeriod(e) : PERIOD;
                        long[] v = counts.computeIfAbsent(JfrStacks.frames(e.getStackTrace()), k -> new long[2]);
                        v[0]++;
                        v[1] += period;
                    } else if (name.equals(CPU_TIME_SAMPLES_LOST)) {
                        lost += e.getInt("lostSamples");
                    }
                }
            }
            if (lost > 0) {
                counts.merge(List.of(LOST), new long[] {lost, lost * PERIOD}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
            long duration = Duration.between(start, end).toNanos();
            return write(counts, startNanos, duration);
        } finally {
            recording.close();
            if (file != null) {
                Files.deleteIfExists(file);
            }
            profiling.set(false);
        }
    }

    private static long samplingPeriod(RecordedEvent e) {
        Duration d = e.getDuration("samplingPeriod");
        return d.isZero() || d.isNegative() ? PERIOD : d.toNanos();
    }

    /** Go's profileBuilder.build for a CPU profile. */
    static byte[] write(Map<List<ProfRt.Frame>, long[]> counts, long timeNanos, long durationNanos) throws IOException {
        ProfileBuilder b = new ProfileBuilder()
                .time(timeNanos, durationNanos)
                .sampleType("samples", "count")
                .sampleType("cpu", "nanoseconds")
                .period("cpu", "nanoseconds", PERIOD);
        for (Map.Entry<List<ProfRt.Frame>, long[]> e : counts.entrySet()) {
            b.sample(e.getKey(), e.getValue()[0], e.getValue()[1]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.write(out);
        return out.toByteArray();
    }
}
