package dev.gort.bench.libs;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gort.Gort;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Jackson databind on a realistic object graph: a batch of orders (customer, addresses,
 * line items with options, attributes, tags, an enum) written to JSON bytes, read back
 * as beans, and read again as a tree, {@code passes} times a round. Bean-style classes
 * with getters and setters, as applications write them, so that Jackson's property
 * accessors (many small methods) are on the hot path.
 *
 * <p>{@code java ... dev.gort.bench.libs.JacksonBench [rounds=20] [orders=200]
 * [passes=30] [goroutines=K] [yield=MS]}
 */
public final class JacksonBench {
    private JacksonBench() {}

    private static final TypeReference<List<Order>> ORDERS = new TypeReference<>() {};

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Rounds.args(argv);
        int orders = Rounds.intArg(args, "orders", 200);
        int passes = Rounds.intArg(args, "passes", 30);
        ObjectMapper mapper = new ObjectMapper();
        Rounds.first(pass(mapper, batch(1, 41)));
        // One batch per copy, each from its own seed.
        List<List<Order>> batches = new ArrayList<>();
        for (int i = 0; i < Rounds.copies(args); i++) {
            batches.add(batch(orders, 42 + i));
        }
        // yield=MS (goroutines only): each goroutine yields (Gort.gosched) between passes once
        // it has run MS ms, as sysmon's time slicing would, so that the cost of keeping every
        // goroutine's working set live at once can be measured without the agent.
        long yieldNanos = Rounds.intArg(args, "yield", 0) * 1_000_000L;
        Rounds.run(args, 20, (round, copy) -> {
            long c = 0;
            long slice = System.nanoTime();
            for (int p = 0; p < passes; p++) {
                c = c * 31 + pass(mapper, batches.get(copy));
                if (yieldNanos > 0 && System.nanoTime() - slice >= yieldNanos) {
                    Gort.gosched();
                    slice = System.nanoTime();
                }
            }
            return c;
        });
    }

    /** Write, read as beans, read as a tree: a checksum of the bytes and what was read. */
    static long pass(ObjectMapper mapper, List<Order> batch) throws Exception {
        byte[] json = mapper.writeValueAsBytes(batch);
        List<Order> back = mapper.readValue(json, ORDERS);
        JsonNode tree = mapper.readTree(json);
        CRC32 crc = new CRC32();
        crc.update(json);
        long c = crc.getValue();
        for (Order o : back) {
            for (LineItem li : o.getItems()) {
                c += li.getQuantity();
            }
            c += o.getCustomer().getLoyaltyPoints();
        }
        return c * 31 + tree.size() + tree.get(0).get("items").size();
    }

    static List<Order> batch(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Order> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(order(r, seed * 1_000_000 + i));
        }
        return l;
    }

    private static final String[] WORDS = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
        "golf", "hotel", "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa",
        "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"};

    private static String words(SplittableRandom r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(WORDS[r.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    private static Address address(SplittableRandom r) {
        Address a = new Address();
        a.setStreet(r.nextInt(1, 999) + " " + words(r, 2) + " Street");
        a.setCity(words(r, 1));
        a.setZip(String.format("%05d", r.nextInt(100000)));
        a.setCountry(r.nextBoolean() ? "DE" : "US");
        return a;
    }

    private static Order order(SplittableRandom r, long id) {
        Customer cu = new Customer();
        cu.setId(r.nextLong(1, 1_000_000));
        cu.setName(words(r, 2));
        cu.setEmail(words(r, 1) + "@example.com");
        cu.setAddress(address(r));
        cu.setLoyaltyPoints(r.nextInt(10_000));
        Order o = new Order();
        o.setId(id);
        o.setCustomer(cu);
        o.setStatus(Status.values()[r.nextInt(Status.values().length)]);
        o.setCreatedMillis(1_700_000_000_000L + r.nextLong(10_000_000_000L));
        o.setShipping(address(r));
        o.setBilling(r.nextBoolean() ? o.getShipping() : address(r));
        List<LineItem> items = new ArrayList<>();
        double total = 0;
        for (int k = r.nextInt(3, 15); k > 0; k--) {
            LineItem li = new LineItem();
            li.setSku("SKU-" + r.nextInt(100_000));
            li.setName(words(r, 3));
            li.setQuantity(r.nextInt(1, 20));
            li.setPrice(r.nextInt(100, 100_000) / 100.0);
            List<String> opts = new ArrayList<>();
            for (int m = r.nextInt(3); m > 0; m--) {
                opts.add(words(r, 1));
            }
            li.setOptions(opts);
            items.add(li);
            total += li.getQuantity() * li.getPrice();
        }
        o.setItems(items);
        o.setTotal(total);
        o.setPaid(r.nextBoolean());
        Map<String, String> attrs = new LinkedHashMap<>();
        for (int m = r.nextInt(4); m > 0; m--) {
            attrs.put(words(r, 1), words(r, 2));
        }
        o.setAttributes(attrs);
        List<String> tags = new ArrayList<>();
        for (int m = r.nextInt(4); m > 0; m--) {
            tags.add(words(r, 1));
        }
        o.setTags(tags);
        o.setNote(r.nextInt(4) == 0 ? null : words(r, 8));
        return o;
    }

    public enum Status { NEW, PAID, SHIPPED, DELIVERED, CANCELLED, RETURNED }

    public static final class Address {
        private String street, city, zip, country;
        public String getStreet() { return street; }
        public void setStreet(String v) { street = v; }
        public String getCity() { return city; }
        public void setCity(String v) { city = v; }
        public String getZip() { return zip; }
        public void setZip(String v) { zip = v; }
        public String getCountry() { return country; }
        public void setCountry(String v) { country = v; }
    }

    public static final class Customer {
        private long id;
        private String name, email;
        private Address address;
        private int loyaltyPoints;
        public long getId() { return id; }
        public void setId(long v) { id = v; }
        public String getName() { return name; }
        public void setName(String v) { name = v; }
        public String getEmail() { return email; }
        public void setEmail(String v) { email = v; }
        public Address getAddress() { return address; }
        public void setAddress(Address v) { address = v; }
        public int getLoyaltyPoints() { return loyaltyPoints; }
        public void setLoyaltyPoints(int v) { loyaltyPoints = v; }
    }

    public static final class LineItem {
        private String sku, name;
        private int quantity;
        private double price;
        private List<String> options;
        public String getSku() { return sku; }
        public void setSku(String v) { sku = v; }
        public String getName() { return name; }
        public void setName(String v) { name = v; }
        public int getQuantity() { return quantity; }
        public void setQuantity(int v) { quantity = v; }
        public double getPrice() { return price; }
        public void setPrice(double v) { price = v; }
        public List<String> getOptions() { return options; }
        public void setOptions(List<String> v) { options = v; }
    }

    public static final class Order {
        private long id;
        private Customer customer;
        private Status status;
        private long createdMillis;
        private Address shipping, billing;
        private List<LineItem> items;
        private double total;
        private boolean paid;
        private Map<String, String> attributes;
        private List<String> tags;
        private String note;
        public long getId() { return id; }
        public void setId(long v) { id = v; }
        public Customer getCustomer() { return customer; }
        public void setCustomer(Customer v) { customer = v; }
        public Status getStatus() { return status; }
        public void setStatus(Status v) { status = v; }
        public long getCreatedMillis() { return createdMillis; }
        public void setCreatedMillis(long v) { createdMillis = v; }
        public Address getShipping() { return shipping; }
        public void setShipping(Address v) { shipping = v; }
        public Address getBilling() { return billing; }
        public void setBilling(Address v) { billing = v; }
        public List<LineItem> getItems() { return items; }
        public void setItems(List<LineItem> v) { items = v; }
        public double getTotal() { return total; }
        public void setTotal(double v) { total = v; }
        public boolean isPaid() { return paid; }
        public void setPaid(boolean v) { paid = v; }
        public Map<String, String> getAttributes() { return attributes; }
        public void setAttributes(Map<String, String> v) { attributes = v; }
        public List<String> getTags() { return tags; }
        public void setTags(List<String> v) { tags = v; }
        public String getNote() { return note; }
        public void setNote(String v) { note = v; }
    }
}
