package dev.gort.agentit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The workload's SQL, one method per phase. The writing phases take a share
 * ({@code part} of {@code parts}: the ids with {@code id % parts == part}), so the
 * sequential mode is the one-share case of the goroutine mode and both do the same work.
 */
final class Queries {
    private Queries() {}

    /** Rows per executeBatch: big enough that the batch path dominates its half of the inserts. */
    static final int BATCH = 100;

    static void schema(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, region INT NOT NULL)");
            s.execute("CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, amount BIGINT NOT NULL, "
                    + "item VARCHAR(40) NOT NULL)");
            s.execute("CREATE INDEX orders_customer ON orders (customer_id)");
        }
    }

    /** The first query: the engine is up and has parsed, planned and run a SELECT. */
    static long countCustomers(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM customers")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** This share's customers, in batches. */
    static void insertCustomers(Connection c, int customers, int parts, int part) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (id, name, region) VALUES (?, ?, ?)")) {
            int n = 0;
            for (int id = 1; id <= customers; id++) {
                if (id % parts != part) {
                    continue;
                }
                ps.setInt(1, id);
                ps.setString(2, "customer-" + id);
                ps.setInt(3, id % Expected.REGIONS);
                ps.addBatch();
                if (++n % BATCH == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }

    /** This share's orders: the first half of the ids in batches, the second one row at a time. */
    static void insertOrders(Connection c, int rows, int customers, int parts, int part) throws SQLException {
        String sql = "INSERT INTO orders (id, customer_id, amount, item) VALUES (?, ?, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int n = 0;
            for (int id = 1; id <= rows; id++) {
                if (id % parts != part) {
                    continue;
                }
                ps.setInt(1, id);
                ps.setInt(2, Expected.customerOf(id, customers));
                ps.setLong(3, Expected.amountOf(id));
                ps.setString(4, Expected.itemOf(id));
                if (id <= rows / 2) {
                    ps.addBatch();
                    if (++n % BATCH == 0) {
                        ps.executeBatch();
                    }
                } else {
                    if (ps.executeUpdate() != 1) {
                        throw new IllegalStateException("insert of order " + id + " did not insert one row");
                    }
                }
            }
            ps.executeBatch();
        }
    }

    /** The read-only reports: a join with group by, an aggregate with having, a top-N. Fills a[0..12]. */
    static void reports(Connection c, long threshold, long[] a) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT c.region, COUNT(*), SUM(o.amount) FROM orders o "
                     + "JOIN customers c ON o.customer_id = c.id GROUP BY c.region ORDER BY c.region")) {
            while (rs.next()) {
                int r = rs.getInt(1);
                a[r] = rs.getLong(2);
                a[Expected.REGIONS + r] = rs.getLong(3);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(s), 0) FROM "
                + "(SELECT customer_id, SUM(amount) s FROM orders GROUP BY customer_id HAVING SUM(amount) > ?) t")) {
            ps.setLong(1, threshold);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                a[10] = rs.getLong(1);
                a[11] = rs.getLong(2);
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM orders ORDER BY amount DESC, id LIMIT 10")) {
            long ids = 0;
            while (rs.next()) {
                ids += rs.getLong(1);
            }
            a[12] = ids;
        }
    }

    /** This share of the index lookup loop; returns {matching orders, their amounts}. */
    static long[] lookups(Connection c, int lookups, int customers, int parts, int part) throws SQLException {
        long count = 0, sum = 0;
        String sql = "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM orders WHERE customer_id = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = part; i < lookups; i += parts) {
                ps.setInt(1, Expected.lookupCustomer(i, customers));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    count += rs.getLong(1);
                    sum += rs.getLong(2);
                }
            }
        }
        return new long[] {count, sum};
    }

    /** This share of the update; returns the rows updated. */
    static int update(Connection c, int parts, int part) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE orders SET amount = amount + 1 WHERE MOD(id, ?) = 0 AND MOD(id, ?) = ?")) {
            ps.setInt(1, Expected.UPDATE_EVERY);
            ps.setInt(2, parts);
            ps.setInt(3, part);
            return ps.executeUpdate();
        }
    }

    static long totalAmount(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SUM(amount) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
