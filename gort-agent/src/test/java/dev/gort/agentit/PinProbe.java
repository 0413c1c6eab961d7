package dev.gort.agentit;

import dev.gort.runtime.HookRt;

import java.util.ArrayList;
import java.util.List;

/**
 * Where {@link MonitorShapes} records the current goroutine's pin count from inside its
 * blocks, for the unit test that runs the shapes instrumented (MonitorShapesTest): off
 * unless a test turns it on, so the IT's workload pays one static read per probe.
 * Public, and never given to the test's child-first loader: the instrumented shapes and
 * the test share this one copy.
 */
public final class PinProbe {
    private PinProbe() {}

    /** "where=pins" entries since the last {@link #take}; null: not recording. */
    private static List<String> seen;

    public static void at(String where) {
        List<String> s = seen;
        if (s != null) {
            s.add(where + "=" + HookRt.lockPins());
        }
    }

    /** Starts recording (on the goroutine that runs the shapes: no other thread touches it). */
    public static void record() {
        seen = new ArrayList<>();
    }

    /** What was recorded since the last call, and keeps recording. */
    public static List<String> take() {
        List<String> s = seen;
        seen = new ArrayList<>();
        return s;
    }

    public static void stop() {
        seen = null;
    }
}
