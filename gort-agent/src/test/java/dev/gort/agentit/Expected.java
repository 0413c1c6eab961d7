package dev.gort.agentit;

/**
 * The workload's data and the answers H2 must give, computed in plain Java: every row is a
 * function of its id, so the expected results need no database and hold at any size. The
 * workload checks each SQL answer against these, so a wrong result under the agent is caught
 * where it happens, not only as a different checksum at the end.
 */
final class Expected {
    /** Regions a customer can be in (customers.region = id % REGIONS). */
    static final int REGIONS = 5;
    /** Every UPDATE_EVERY-th order gets amount + 1 in the update phase. */
    static final int UPDATE_EVERY = 7;

    final int rows;
    final int customers;
    final int lookups;
    /** Per region: orders and their amount before the update. */
    final long[] regionCount = new long[REGIONS];
    final long[] regionSum = new long[REGIONS];
    /** Per customer (index = id): sum of its orders' amounts before the update. */
    final long[] customerSum;
    /** Customers whose sum exceeds the threshold, and the total of those sums. */
    final long bigCustomers;
    final long bigCustomersSum;
    final long threshold;
    /** The lookup loop's totals: matching orders and their amounts. */
    final long lookupCount;
    final long lookupSum;
    /** Sum of the ids of the 10 orders with the largest amount (ties: smaller id first). */
    final long top10Ids;
    final long updated;
    final long sumAfterUpdate;

    Expected(int rows, int lookups) {
        this.rows = rows;
        this.customers = customers(rows);
        this.lookups = lookups;
        customerSum = new long[customers + 1];
        for (int id = 1; id <= rows; id++) {
            int c = customerOf(id, customers);
            customerSum[c] += amountOf(id);
            regionCount[c % REGIONS]++;
            regionSum[c % REGIONS] += amountOf(id);
        }
        long total = 0;
        for (long s : customerSum) {
            total += s;
        }
        threshold = total / customers;
        long big = 0, bigSum = 0;
        for (int c = 1; c <= customers; c++) {
            if (customerSum[c] > threshold) {
                big++;
                bigSum += customerSum[c];
            }
        }
        bigCustomers = big;
        bigCustomersSum = bigSum;
        long lc = 0, ls = 0;
        long[] perCustomerCount = new long[customers + 1];
        for (int id = 1; id <= rows; id++) {
            perCustomerCount[customerOf(id, customers)]++;
        }
        for (int i = 0; i < lookups; i++) {
            int c = lookupCustomer(i, customers);
            lc += perCustomerCount[c];
            ls += customerSum[c];
        }
        lookupCount = lc;
        lookupSum = ls;
        top10Ids = top10(rows);
        updated = rows / UPDATE_EVERY;
        sumAfterUpdate = total + updated;
    }

    static int customers(int rows) {
        return Math.max(1, rows / 10);
    }

    /** A scattered customer for each order (7919 is prime), so the index lookups hit many pages. */
    static int customerOf(int orderId, int customers) {
        return 1 + (int) ((orderId * 7919L) % customers);
    }

    static int amountOf(int orderId) {
        return (int) ((orderId * 31L) % 1000);
    }

    static String itemOf(int orderId) {
        return "item-" + (orderId % 100);
    }

    static int lookupCustomer(int i, int customers) {
        return 1 + (int) ((i * 31L) % customers);
    }

    private static long top10(int rows) {
        // Largest amounts first, then smallest ids: a partial selection over (amount desc, id asc).
        int[] best = new int[Math.min(10, rows)];
        int n = 0;
        for (int id = 1; id <= rows; id++) {
            int pos = n;
            while (pos > 0 && before(id, best[pos - 1])) {
                pos--;
            }
            if (pos >= best.length) {
                continue;
            }
            int last = Math.min(n, best.length - 1);
            System.arraycopy(best, pos, best, pos + 1, last - pos);
            best[pos] = id;
            n = Math.min(n + 1, best.length);
        }
        long s = 0;
        for (int id : best) {
            s += id;
        }
        return s;
    }

    private static boolean before(int a, int b) {
        int x = amountOf(a), y = amountOf(b);
        return x > y || (x == y && a < b);
    }

    /** What each answer is, in the order of {@link #answers()}. */
    static final String[] NAMES = {
        "region0.count", "region1.count", "region2.count", "region3.count", "region4.count",
        "region0.sum", "region1.sum", "region2.sum", "region3.sum", "region4.sum",
        "bigCustomers", "bigCustomersSum", "top10Ids", "lookupCount", "lookupSum", "updated", "sumAfterUpdate"};

    /** The answers H2 must give, in the order of {@link #NAMES}. */
    long[] answers() {
        long[] a = new long[NAMES.length];
        for (int r = 0; r < REGIONS; r++) {
            a[r] = regionCount[r];
            a[REGIONS + r] = regionSum[r];
        }
        a[10] = bigCustomers;
        a[11] = bigCustomersSum;
        a[12] = top10Ids;
        a[13] = lookupCount;
        a[14] = lookupSum;
        a[15] = updated;
        a[16] = sumAfterUpdate;
        return a;
    }

    /** One number for all the answers: what the modes print and compare, and the IT pins. */
    static long checksum(long[] answers) {
        long h = 17;
        for (long v : answers) {
            h = h * 1_000_003L ^ v;
        }
        return h;
    }
}
