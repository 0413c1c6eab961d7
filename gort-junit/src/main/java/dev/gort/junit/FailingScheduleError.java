package dev.gort.junit;

/**
 * An {@link ExploreSchedules} test found a failing schedule. The message names the run,
 * the failure and the schedule token, and the {@code @ReplaySchedule} line that replays
 * it; the cause is the run's own failure (its stack is the test's).
 */
public final class FailingScheduleError extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final String schedule;

    FailingScheduleError(String message, String schedule, Throwable cause) {
        super(message, cause);
        this.schedule = schedule;
    }

    /** The failing run's schedule token, for {@link ReplaySchedule} or {@code Explore.replay}. */
    public String schedule() {
        return schedule;
    }
}
