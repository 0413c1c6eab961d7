package dev.gort.runtime;

/**
 * Go's randomOrder/randomEnum (proc.go): enumerates all Ps in a pseudo-random order
 * without allocating, by stepping through positions with an increment coprime to the
 * count. Built by procresize together with the allp it enumerates, so a stealer never
 * indexes a resized allp with a stale count.
 */
final class StealOrder {
    final P[] allp;
    private final int[] coprimes;

    StealOrder(P[] allp) {
        this.allp = allp;
        int count = allp.length;
        int[] c = new int[count];
        int n = 0;
        for (int i = 1; i <= count; i++) {
            if (gcd(i, count) == 1) {
                c[n++] = i;
            }
        }
        this.coprimes = java.util.Arrays.copyOf(c, Math.max(n, 1));
        if (n == 0) {
            this.coprimes[0] = 1;
        }
    }

    /** First position of an enumeration started with random value r. */
    int startPos(int r) {
        return Integer.remainderUnsigned(r, allp.length);
    }

    /** The increment of an enumeration started with random value r. */
    int startInc(int r) {
        return coprimes[Integer.remainderUnsigned(Integer.divideUnsigned(r, allp.length), coprimes.length)];
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
