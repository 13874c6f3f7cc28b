/*
 * Single-precision GEMM, c(M, N) = [c +] a(M, K) · b(K, N) [+ bias], for every product the forward and
 * backward passes need: operands are strided views, so a transpose is just swapped strides (in·Wᵀ,
 * dOut·W, dOutᵀ·in, Q·Kᵀ, P·V, ...), and no caller copies a matrix to transpose it.
 *
 * The BLIS loop nest: for each NC-wide column block and KC-deep slice of K, B's slice is packed once
 * into NR-wide panels ([p][NR], shared by all threads); then each thread takes MC-row blocks of A, packs
 * them into MR-row panels ([p][MR], its own buffer, sized to stay in L2) and runs the register-tiled
 * micro-kernel (GemmKernels) over every MR×NR tile, with the B panel hot in L1 across the rows. Row
 * blocks are equal in size and a multiple of the thread count, handed out one at a time. A B stored
 * transposed (a weight read as Wᵀ) is packed by in-register block transposes (Transposes).
 *
 * Determinism: every element of c is one FMA chain over p = 0..K−1 in order, started from the bias,
 * zero or c's old value (the kernel reloads c between K slices, which rounds nothing away). So the result
 * depends neither on the thread count nor on which thread computed which tile.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.Activation;

final class Gemm {
    static final int NR = GemmKernels.NR;
    /** 12 rows on 32-register machines (16-lane AVX-512), 6 on AVX2's 16 registers. */
    static final int MR = GemmKernels.LANES >= 16 ? 12 : 6;
    /**
     * K slice. 384 divides BERT's hidden and intermediate sizes (384, 768, 1536, 3072), so MiniLM's
     * K = 384 products pass over C once, and larger K in even slices; it measured 4–21% faster than 256
     * at every BERT shape (benchmarks/README.md). A tile's A panel (KC·MR floats, 18 KB) stays in L1,
     * its B panel (KC·NR, 48 KB) streams from L2. The slice size never changes a result: each element
     * is one FMA chain over K in order, C stored and reloaded exactly between slices.
     */
    static final int KC = 384;
    /** Rows of A packed per block (MC·KC floats ≈ 360 KB: in L2). A multiple of both MRs. */
    static final int MC = 240;
    /** Columns of B per packed block (KC·NC floats = 6 MB: in L3). */
    static final int NC = 4096;
    /** Below this many multiply-adds a product runs on the calling thread alone. */
    private static final long PARALLEL_MIN_WORK = 1L << 18;

    private Gemm() {
    }

    /** A strided matrix view: element (i, j) is data[off + i·rowStride + j·colStride]. */
    record Mat(float[] data, int off, int rowStride, int colStride) {
        /** A row-major matrix with leading dimension ld. */
        static Mat rows(float[] data, int off, int ld) {
            return new Mat(data, off, ld, 1);
        }

        /** The transpose of a row-major matrix with leading dimension ld. */
        static Mat transposed(float[] data, int off, int ld) {
            return new Mat(data, off, 1, ld);
        }
    }

    /** Per-thread packing buffers, grown on demand and then reused: no allocation in steady state. */
    private static final class Workspace {
        float[] a = new float[0], b = new float[0];
        final float[] tile = new float[MR * NR];

        float[] a(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * c(M, N) = a·b + bias (overwrite; bias nullable, one value per column) or c += a·b (accumulate;
     * bias must be null). c is row-major from cOff with leading dimension ldc. A null pool runs the
     * product on the calling thread (for callers that are themselves one task of a parallel loop, with
     * small products): then the kernel reads A in place, without packing it.
     */
    static void multiply(ThreadPool pool, int m, int n, int k, Mat a, Mat b, float[] c, int cOff, int ldc,
                         boolean accumulate, float[] bias) {
        multiply(pool, m, n, k, a, b, c, cOff, ldc, accumulate, bias, null, null);
    }

    /**
     * As above, then actOut = act(c) (same offset and leading dimension as c; may be c itself), applied
     * tile by tile right after each tile's last K slice, while it is still in L1 (the fused bias + GELU).
     */
    static void multiply(ThreadPool pool, int m, int n, int k, Mat a, Mat b, float[] c, int cOff, int ldc,
                         boolean accumulate, float[] bias, Activation act, float[] actOut) {
        multiply(pool, m, n, k, a, b, null, c, cOff, ldc, accumulate, bias, act, actOut);
    }

    /** As above with B packed beforehand (a constant weight): no packing per product. */
    static void multiply(ThreadPool pool, int m, int n, int k, Mat a, PackedB b, float[] c, int cOff, int ldc,
                         boolean accumulate, float[] bias, Activation act, float[] actOut) {
        if (b.k() != k || b.n() != n) {
            throw new IllegalArgumentException("packed B is " + b.k() + "×" + b.n() + ", product needs " + k + "×" + n);
        }
        multiply(pool, m, n, k, a, null, b, c, cOff, ldc, accumulate, bias, act, actOut);
    }

    /** The loop nest; exactly one of b and packed is given. */
    private static void multiply(ThreadPool pool, int m, int n, int k, Mat a, Mat b, PackedB packed, float[] c,
                                 int cOff, int ldc, boolean accumulate, float[] bias, Activation act, float[] actOut) {
        if (accumulate && bias != null) throw new IllegalArgumentException("bias only when overwriting");
        if (m <= 0 || n <= 0) return;
        if (k == 0) {
            for (int i = 0; i < m; i++) {
                if (!accumulate) for (int j = 0; j < n; j++) c[cOff + i * ldc + j] = bias == null ? 0f : bias[j];
                if (act != null) Activations.forward(act, c, actOut, cOff + i * ldc, cOff + i * ldc + n);
            }
            return;
        }
        boolean parallel = pool != null && pool.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_WORK;
        boolean direct = pool == null;
        int threads = parallel ? pool.threads() : 1;
        int mc = rowBlock(m, threads);
        int mBlocks = ceilDiv(m, mc);
        float[] bp = packed != null ? packed.data : WORKSPACE.get().b(KC * Math.min(roundUp(n, NR), NC));
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), panels = ceilDiv(nc, NR);
            // Split the columns too when there are fewer row blocks than threads (small M, wide N).
            int nGroups = Math.min(panels, ceilDiv(2 * threads, mBlocks));
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean first = pc == 0;
                Activation epilogue = pc + kc == k ? act : null;
                boolean overwrite = first && !accumulate;
                int bBase = packed != null ? packed.offset(jc, pc) : 0;
                if (!parallel) {
                    // On the calling thread: plain loops, no lambdas (nothing allocated per product).
                    if (packed == null) packB(b, pc, kc, jc, nc, 0, panels, bp, 0);
                    for (int ic = 0; ic < m; ic += mc) {
                        block(a, ic, Math.min(mc, m - ic), pc, kc, bp, bBase, jc, nc, 0, panels, c, cOff, ldc,
                                overwrite, bias, direct, epilogue, actOut);
                    }
                    continue;
                }
                int jcF = jc, pcF = pc;
                ThreadPool.RangeBody packB = (from, to) -> packB(b, pcF, kc, jcF, nc, from, to, bp, 0);
                ThreadPool.RangeBody compute = (from, to) -> {
                    for (int item = from; item < to; item++) {
                        int ic = (item / nGroups) * mc, group = item % nGroups;
                        int p0 = panels * group / nGroups, p1 = panels * (group + 1) / nGroups;
                        block(a, ic, Math.min(mc, m - ic), pcF, kc, bp, bBase, jcF, nc, p0, p1, c, cOff, ldc,
                                overwrite, bias, direct, epilogue, actOut);
                    }
                };
                if (packed == null) pool.parallelFor(panels, 4, packB);
                pool.parallelPieces(mBlocks * nGroups, mBlocks * nGroups, compute);   // one block per piece
            }
        }
    }

    /**
     * One MC-row block of A against panels [p0, p1) of the packed B slice. With direct, whole MR-row
     * panels of A are read in place and only a final partial panel is packed (zero-padded).
     */
    private static void block(Mat a, int ic, int mc, int pc, int kc, float[] bp, int bBase, int jc, int nc, int p0, int p1,
                              float[] c, int cOff, int ldc, boolean overwrite, float[] bias, boolean direct,
                              Activation act, float[] actOut) {
        Workspace ws = WORKSPACE.get();
        float[] ap = ws.a(roundUp(mc, MR) * kc + A_SLACK), tile = ws.tile;
        int inPlaceRows = direct ? mc / MR * MR : 0;
        if (mc > inPlaceRows) packA(a, ic + inPlaceRows, mc - inPlaceRows, pc, kc, ap);
        for (int panel = p0; panel < p1; panel++) {
            int j = jc + panel * NR, cols = Math.min(NR, nc - panel * NR), bOff = bBase + panel * NR * kc;
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir), cAt = cOff + (ic + ir) * ldc + j;
                if (ir < inPlaceRows) {
                    // Always a full tile in rows; a partial one in columns goes through the scratch tile.
                    int aAt = a.off() + (ic + ir) * a.rowStride() + pc * a.colStride();
                    float[] dst = cols == NR ? c : tile;
                    int dstAt = cols == NR ? cAt : 0, ld = cols == NR ? ldc : NR;
                    if (cols < NR) fillTile(tile, c, cAt, ldc, MR, cols, overwrite, bias, j);
                    if (cols == NR && overwrite) {
                        directTile(a, aAt, bp, bOff, kc, bias, bias == null ? 0 : j, 0, dst, dstAt, ld);
                    } else {
                        directTile(a, aAt, bp, bOff, kc, dst, dstAt, ld, dst, dstAt, ld);
                    }
                    if (cols < NR) for (int r = 0; r < MR; r++) System.arraycopy(tile, r * NR, c, cAt + r * ldc, cols);
                    if (act != null) activate(act, c, actOut, cAt, ldc, MR, cols);
                    continue;
                }
                int aOff = (ir - inPlaceRows) * kc;
                if (rows == MR && cols == NR) {
                    if (!overwrite) tile(ap, aOff, bp, bOff, kc, c, cAt, ldc, c, cAt, ldc);
                    else if (bias != null) tile(ap, aOff, bp, bOff, kc, bias, j, 0, c, cAt, ldc);
                    else tile(ap, aOff, bp, bOff, kc, null, 0, 0, c, cAt, ldc);
                } else {
                    // Edge tile: run the full kernel on a scratch tile, move the valid part.
                    fillTile(tile, c, cAt, ldc, rows, cols, overwrite, bias, j);
                    tile(ap, aOff, bp, bOff, kc, tile, 0, NR, tile, 0, NR);
                    for (int r = 0; r < rows; r++) System.arraycopy(tile, r * NR, c, cAt + r * ldc, cols);
                }
                if (act != null) activate(act, c, actOut, cAt, ldc, rows, cols);
            }
        }
    }

    /** The epilogue: actOut = act(c) over one finished tile. */
    private static void activate(Activation act, float[] c, float[] actOut, int cAt, int ldc, int rows, int cols) {
        for (int r = 0; r < rows; r++) Activations.forward(act, c, actOut, cAt + r * ldc, cAt + r * ldc + cols);
    }

    /** The scratch tile's starting values: c's valid part (accumulating), else the bias or zero; 0 outside. */
    private static void fillTile(float[] tile, float[] c, int cAt, int ldc, int rows, int cols, boolean overwrite,
                                 float[] bias, int j) {
        for (int r = 0; r < MR; r++) {
            for (int q = 0; q < NR; q++) {
                boolean valid = r < rows && q < cols;
                tile[r * NR + q] = !valid ? 0f : !overwrite ? c[cAt + r * ldc + q] : bias != null ? bias[j + q] : 0f;
            }
        }
    }

    private static void directTile(Mat a, int aAt, float[] bp, int bOff, int kc,
                                   float[] init, int initOff, int initLd, float[] c, int cOff, int ldc) {
        if (MR == 12) {
            GemmKernels.tile12Direct(a.data(), aAt, a.rowStride(), a.colStride(), bp, bOff, kc, init, initOff, initLd, c, cOff, ldc);
        } else {
            GemmKernels.tile6Direct(a.data(), aAt, a.rowStride(), a.colStride(), bp, bOff, kc, init, initOff, initLd, c, cOff, ldc);
        }
    }

    private static void tile(float[] ap, int aOff, float[] bp, int bOff, int kc,
                             float[] init, int initOff, int initLd, float[] c, int cOff, int ldc) {
        if (MR == 12) GemmKernels.tile12(ap, aOff, bp, bOff, kc, init, initOff, initLd, c, cOff, ldc);
        else GemmKernels.tile6(ap, aOff, bp, bOff, kc, init, initOff, initLd, c, cOff, ldc);
    }

    private static final int LANES = GemmKernels.LANES;
    /** Whether packA transposes row-major panels in registers: needs a transpose and MR ≤ LANES. */
    private static final boolean TRANSPOSE_A = Transposes.SUPPORTED && MR <= LANES;
    /** Floats a packed A buffer needs past its panels for the transposes' last store. */
    static final int A_SLACK = LANES;

    /**
     * Packs a(ic.., pc..) (mc × kc) into MR-row panels [panel][p][MR], zero-padding the last panel;
     * ap needs A_SLACK floats past the panels.
     */
    static void packA(Mat a, int ic, int mc, int pc, int kc, float[] ap) {
        float[] d = a.data();
        int rs = a.rowStride(), cs = a.colStride();
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir), dst = ir * kc;
            int base = a.off() + (ic + ir) * rs + pc * cs;
            if (rs == 1) {
                // Transposed storage: the MR values of one p are contiguous.
                for (int p = 0; p < kc; p++) {
                    int src = base + p * cs, at = dst + p * MR;
                    for (int r = 0; r < rows; r++) ap[at + r] = d[src + r];
                    for (int r = rows; r < MR; r++) ap[at + r] = 0f;
                }
            } else if (cs == 1 && rows == MR && TRANSPOSE_A && kc >= LANES && base + (LANES - 1) * rs + kc <= d.length) {
                // Row-major storage, full panel: transpose LANES rows at a time in registers. Rows
                // past the panel's MR only fill lanes that the next p's store overwrites (the last
                // spills into the buffer's slack), so the panel ends up exactly as the scalar copy.
                int p = 0;
                for (; p + LANES <= kc; p += LANES) Transposes.transpose(d, base + p, rs, ap, dst + p * MR, MR);
                for (; p < kc; p++) {
                    for (int r = 0; r < MR; r++) ap[dst + p * MR + r] = d[base + r * rs + p];
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    int src = base + r * rs;
                    if (cs == 1) {
                        for (int p = 0; p < kc; p++) ap[dst + p * MR + r] = d[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) ap[dst + p * MR + r] = d[src + p * cs];
                    }
                }
                for (int r = rows; r < MR; r++) {
                    for (int p = 0; p < kc; p++) ap[dst + p * MR + r] = 0f;
                }
            }
        }
    }

    /**
     * Packs panels [from, to) of b(pc.., jc..) (kc × nc) as [panel][p][NR] from bp[bpOff], zero-padding
     * the last panel.
     */
    static void packB(Mat b, int pc, int kc, int jc, int nc, int from, int to, float[] bp, int bpOff) {
        float[] d = b.data();
        int rs = b.rowStride(), cs = b.colStride();
        for (int panel = from; panel < to; panel++) {
            int j0 = panel * NR, cols = Math.min(NR, nc - j0), dst = bpOff + panel * NR * kc;
            int base = b.off() + pc * rs + (jc + j0) * cs;
            if (cs == 1) {
                // Row-major storage: each p is a contiguous run of NR values.
                for (int p = 0; p < kc; p++) {
                    int at = dst + p * NR;
                    System.arraycopy(d, base + p * rs, bp, at, cols);
                    for (int q = cols; q < NR; q++) bp[at + q] = 0f;
                }
            } else if (rs == 1 && cols == NR && Transposes.SUPPORTED) {
                // Transposed storage, full panel: the panel's NR columns are rows of the stored matrix,
                // contiguous in p; transpose them LANES×LANES blocks at a time in registers.
                int half = GemmKernels.LANES, p = 0;
                for (; p + half <= kc; p += half) {
                    Transposes.transpose(d, base + p, cs, bp, dst + p * NR, NR);
                    Transposes.transpose(d, base + half * cs + p, cs, bp, dst + p * NR + half, NR);
                }
                for (; p < kc; p++) {
                    for (int q = 0; q < NR; q++) bp[dst + p * NR + q] = d[base + q * cs + p];
                }
            } else {
                for (int q = 0; q < cols; q++) {
                    int src = base + q * cs;
                    if (rs == 1) {
                        for (int p = 0; p < kc; p++) bp[dst + p * NR + q] = d[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) bp[dst + p * NR + q] = d[src + p * rs];
                    }
                }
                for (int q = cols; q < NR; q++) {
                    for (int p = 0; p < kc; p++) bp[dst + p * NR + q] = 0f;
                }
            }
        }
    }

    /**
     * Rows per block of A: at most MC, and as equal as MR allows over a block count that is a multiple
     * of the thread count (at least two blocks per thread), so that threads taking one block at a time
     * finish together. (Blocks of MC rows left a short last block, and pieces of two or three blocks
     * left one thread idle for up to a piece at the end of every product.)
     */
    static int rowBlock(int m, int threads) {
        if (threads == 1) return Math.min(MC, roundUp(m, MR));
        int blocks = threads * Math.max(2, ceilDiv(m, threads * MC));
        return Math.min(MC, roundUp(ceilDiv(m, blocks), MR));
    }

    /**
     * A constant B (K, N) packed once (a frozen weight, read as Wᵀ), every (NC block, K slice) in the
     * layout packB gives it per product: block jc's slices follow one another, slice pc holding
     * ceil(nc/NR) panels of kc × NR. Products read it as packB's output would be, so results are the
     * same bit for bit.
     */
    record PackedB(int k, int n, float[] data) {
        static PackedB pack(ThreadPool pool, Mat b, int k, int n) {
            float[] data = new float[Math.multiplyExact(roundUp(n, NR), k)];
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc), panels = ceilDiv(nc, NR), jcF = jc;
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc), pcF = pc, at = offset(k, jc, pc, nc);
                    pool.parallelFor(panels, 4, (from, to) -> packB(b, pcF, kc, jcF, nc, from, to, data, at));
                }
            }
            return new PackedB(k, n, data);
        }

        /** Where block jc's slice pc starts. */
        int offset(int jc, int pc) {
            return offset(k, jc, pc, Math.min(NC, n - jc));
        }

        private static int offset(int k, int jc, int pc, int nc) {
            return jc * k + roundUp(nc, NR) * pc;     // blocks before jc are NC wide (a multiple of NR)
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static int roundUp(int a, int multiple) {
        return ceilDiv(a, multiple) * multiple;
    }

    // ---------------------------------------------------------------- the Linear layer's three products

    /** pre(N, O) = in(N, K)·w(O, K)ᵀ + bias(O), then out = act(pre), fused (pre may be out; act nullable). */
    static void linearActivation(ThreadPool pool, float[] out, float[] pre, float[] in, float[] w, float[] bias,
                                 int n, int k, int o, Activation act) {
        multiply(pool, n, o, k, Mat.rows(in, 0, k), Mat.transposed(w, 0, k), pre, 0, o, false, bias, act, out);
    }

    /** As linearActivation, with w packed beforehand. */
    static void linearActivation(ThreadPool pool, float[] out, float[] pre, float[] in, PackedB w, float[] bias,
                                 int n, int k, int o, Activation act) {
        multiply(pool, n, o, k, Mat.rows(in, 0, k), w, pre, 0, o, false, bias, act, out);
    }

    /** Floats a packed weight w(O, K) takes. */
    static long packedWeightSize(int o, int k) {
        return (long) roundUp(o, NR) * k;
    }

    /** A weight w(O, K) packed once as the B operand (wᵀ) of the products above. */
    static PackedB packWeight(ThreadPool pool, float[] w, int o, int k) {
        return PackedB.pack(pool, Mat.transposed(w, 0, k), k, o);
    }

    /** dIn(N, K) += dOut(N, O) · w(O, K). */
    static void linearBackwardInput(ThreadPool pool, float[] dIn, float[] dOut, float[] w, int n, int k, int o) {
        multiply(pool, n, k, o, Mat.rows(dOut, 0, o), Mat.rows(w, 0, k), dIn, 0, k, true, null);
    }

    /** dW(O, K) += dOut(N, O)ᵀ · in(N, K). */
    static void linearBackwardWeight(ThreadPool pool, float[] dW, float[] dOut, float[] in, int n, int k, int o) {
        multiply(pool, o, k, n, Mat.transposed(dOut, 0, o), Mat.rows(in, 0, k), dW, 0, k, true, null);
    }
}
