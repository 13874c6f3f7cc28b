/*
 * An immutable trie over UTF-16 units, laid out breadth-first in flat arrays: the children of a
 * node are consecutive nodes, sorted by the unit that leads to them. Walking it one unit at a time
 * finds the longest vocabulary entry at a position without building any substring, which is what
 * WordPiece's greedy longest-match-first needs. The root's children are looked up directly.
 */
package dev.kanna.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

final class CharTrie {

    static final int ROOT = 0;
    static final int NONE = -1;
    /** Children lists longer than this are binary-searched instead of scanned. */
    private static final int LINEAR_LIMIT = 8;

    /** Children of node n are the nodes [firstChild[n], firstChild[n + 1]).  (N + 1) */
    private final int[] firstChild;
    /** The unit on the edge into each node.  (N) */
    private final char[] unit;
    /** Value stored at each node (a token id), or NONE.  (N) */
    private final int[] value;
    /** Child of the root for each unit, or NONE.  (65536) */
    private final int[] rootChild = new int[65536];

    private CharTrie(int[] firstChild, char[] unit, int[] value) {
        this.firstChild = firstChild;
        this.unit = unit;
        this.value = value;
        Arrays.fill(rootChild, NONE);
        for (int n = firstChild[ROOT]; n < firstChild[ROOT + 1]; n++) rootChild[unit[n]] = n;
    }

    /** The child of node reached through unit c, or NONE. */
    int child(int node, char c) {
        if (node == ROOT) return rootChild[c];
        int lo = firstChild[node], hi = firstChild[node + 1];
        if (hi - lo <= LINEAR_LIMIT) {
            for (int n = lo; n < hi; n++) {
                if (unit[n] == c) return n;
            }
            return NONE;
        }
        hi--;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            char u = unit[mid];
            if (u < c) lo = mid + 1;
            else if (u > c) hi = mid - 1;
            else return mid;
        }
        return NONE;
    }

    /** The value stored where a key ends at node, or NONE. */
    int value(int node) {
        return value[node];
    }

    /** The node reached from ROOT by all of s, or NONE. */
    int walk(CharSequence s) {
        int node = ROOT;
        for (int i = 0; i < s.length() && node != NONE; i++) node = child(node, s.charAt(i));
        return node;
    }

    /**
     * Builds the trie of keys[i] → values[i] (keys distinct). Sorting the keys makes every node a
     * range of keys sharing a prefix; numbering nodes breadth-first as they are discovered gives each
     * node's children consecutive numbers.
     */
    static CharTrie build(List<String> keys, int[] values) {
        int n = keys.size();
        Map<String, Integer> valueOf = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) valueOf.put(keys.get(i), values[i]);
        String[] sorted = keys.toArray(new String[0]);
        Arrays.sort(sorted);  // String order is UTF-16 unit order, the order the trie needs
        int[] sortedValues = new int[n];
        for (int i = 0; i < n; i++) sortedValues[i] = valueOf.get(sorted[i]);
        // Node k covers sorted[lo[k], hi[k]), all sharing their first depth[k] units.
        int capacity = 1024;
        int[] lo = new int[capacity], hi = new int[capacity], depth = new int[capacity];
        int[] firstChild = new int[capacity + 1], value = new int[capacity];
        char[] unit = new char[capacity];
        hi[0] = n;
        int count = 1;
        for (int node = 0; node < count; node++) {
            int i = lo[node], end = hi[node], d = depth[node];
            value[node] = NONE;
            if (i < end && sorted[i].length() == d) value[node] = sortedValues[i++];  // the prefix itself sorts first
            firstChild[node] = count;
            while (i < end) {
                char c = sorted[i].charAt(d);
                int j = i + 1;
                while (j < end && sorted[j].charAt(d) == c) j++;
                if (count == capacity) {
                    capacity = Math.multiplyExact(capacity, 2);
                    lo = Arrays.copyOf(lo, capacity);
                    hi = Arrays.copyOf(hi, capacity);
                    depth = Arrays.copyOf(depth, capacity);
                    firstChild = Arrays.copyOf(firstChild, capacity + 1);
                    value = Arrays.copyOf(value, capacity);
                    unit = Arrays.copyOf(unit, capacity);
                }
                lo[count] = i;
                hi[count] = j;
                depth[count] = d + 1;
                unit[count] = c;
                count++;
                i = j;
            }
        }
        firstChild[count] = count;
        return new CharTrie(Arrays.copyOf(firstChild, count + 1), Arrays.copyOf(unit, count),
                Arrays.copyOf(value, count));
    }
}
