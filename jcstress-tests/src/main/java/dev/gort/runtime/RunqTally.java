package dev.gort.runtime;

/**
 * Bookkeeping for the run-queue jcstress tests: the Gs one actor took, and the tally that
 * the arbiter makes of all of them.
 *
 * <p>Each test state makes its own Gs with goids 1..n, so a G's bit in a mask is
 * {@code 1 << (goid - 1)}. An actor records every G it takes in its own {@code RunqTally}
 * (plain fields: jcstress makes an actor's writes visible to the arbiter). The arbiter
 * folds every record into one mask of the goids seen and a count of duplicates: a G seen
 * twice, or a G that is not one of the state's own (a stale slot read as a G), counts as a
 * duplicate. A lost G shows as a missing bit. At most 31 Gs per state.
 */
final class RunqTally {
    /** Everything one actor took, in order. Large enough for any legal run; more is a duplicate. */
    private final G[] taken;
    private int n;
    /** Takes beyond the array: only possible if Gs were duplicated. */
    private int overflow;

    RunqTally(int capacity) {
        taken = new G[capacity];
    }

    /** Records gp if non-null. */
    void take(G gp) {
        if (gp == null) {
            return;
        }
        if (n < taken.length) {
            taken[n++] = gp;
        } else {
            overflow++;
        }
    }

    /**
     * Takes everything left in pp (runnext first, then the ring); the caller must own pp.
     * A sound queue holds at most its ring's length plus runnext; beyond that the queue is
     * corrupted (head past tail hands out stale slots forever), so stop and count one
     * duplicate rather than loop: the test then fails instead of hanging.
     */
    void drain(P pp) {
        for (int i = 0; i <= pp.runq.length; i++) {
            G gp = RunQueue.runqget(pp, null);
            if (gp == null) {
                return;
            }
            take(gp);
        }
        if (RunQueue.runqget(pp, null) != null) {
            overflow++;
        }
    }

    int count() {
        return n + overflow;
    }

    /** Makes the state's Gs, with goids 1..n. */
    static G[] newGs(int n) {
        G[] gs = new G[n];
        for (int i = 0; i < n; i++) {
            gs[i] = new G();
            gs[i].goid = i + 1;
        }
        return gs;
    }

    /** Combined result of several tallies. */
    static final class Sum {
        private final G[] gs;
        int mask;
        int dups;

        /** A sum over the state's own Gs {@code gs} (goids 1..gs.length). */
        Sum(G[] gs) {
            this.gs = gs;
        }

        void add(G gp) {
            long goid = gp.goid;
            if (goid < 1 || goid > gs.length || gs[(int) goid - 1] != gp) {
                dups++; // not one of ours
                return;
            }
            int bit = 1 << (goid - 1);
            if ((mask & bit) != 0) {
                dups++;
            }
            mask |= bit;
        }

        void add(RunqTally t) {
            for (int i = 0; i < t.n; i++) {
                add(t.taken[i]);
            }
            dups += t.overflow;
        }
    }
}
