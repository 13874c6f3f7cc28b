/*
 * Our PTX kernels on one device: loads the committed .ptx resources (one module per kernel family,
 * JIT-compiled by the driver for the GPU at hand, on first use), looks kernels up by name, and
 * launches them on the device's stream. Launch arguments are given as Java values: DeviceBuffer (a
 * pointer), null (a null pointer), Integer, Long, Float.
 *
 * Arguments are written into native memory we own: one 8-byte slot per argument and the table of
 * slot addresses (the void** cuLaunchKernel takes), so a launch is one JNI call that reads no Java
 * objects per argument. JCuda's own marshalling (a Pointer per argument, each resolved through JNI)
 * measured 8.7 µs of host time per launch on the H200's host, which a training step's ~1300
 * launches turn into 11 ms. The driver copies argument values at the launch, so the slots are
 * reused at once. Not yet run on a GPU: off unless -Dkanna.cuda.launch=packed (or the benchmark's
 * request) turns it on, and then only after the backend's check of it passes (CudaBackend);
 * JCuda's marshalling otherwise. A buffer whose device address is unknown (0) falls back too.
 * A profile (startProfile/stopProfile) brackets each launch with device events: GPU time per kernel.
 */
package dev.kanna.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

public final class Kernels {

    /** The kernel families, one .cu/.ptx pair each. */
    static final String[] MODULES = {
        "elementwise", "activation", "layernorm", "softmax", "crossentropy", "adamw", "embedding", "attention", "gemm",
        "gemm_bf16", "gemm_sm90"
    };

    /** The module of Hopper-only kernels (compute_90a PTX): loadable on compute capability 9.0 alone. */
    static final String HOPPER_MODULE = "gemm_sm90";

    /** The module that holds a kernel, from the kernel's name (each family names its kernels alike). */
    static String moduleOf(String kernel) {
        if (kernel.startsWith("gemm_wg_")) return HOPPER_MODULE;
        if (kernel.startsWith("gemm_tc_bf16_") || kernel.startsWith("convert_") || kernel.equals("transpose_f32_bf16")) {
            return "gemm_bf16";
        }
        if (kernel.startsWith("gemm_") || kernel.startsWith("sgemm_")) return "gemm";
        if (kernel.startsWith("attn_")) return "attention";
        if (kernel.startsWith("act_")) return "activation";
        if (kernel.startsWith("layernorm_")) return "layernorm";
        if (kernel.startsWith("softmax_")) return "softmax";
        if (kernel.startsWith("cross_entropy")) return "crossentropy";
        if (kernel.startsWith("adamw_")) return "adamw";
        if (kernel.startsWith("embedding_") || kernel.startsWith("scatter_add_") || kernel.equals("gather_rows")) {
            return "embedding";
        }
        return "elementwise";
    }

    private static final int DEFAULT_SHARED_LIMIT = 48 * 1024;

    private final CudaDevice device;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<CUfunction, Integer> sharedLimit = new HashMap<>();

    private static final int MAX_ARGS = 32;
    /** Argument slots (8 bytes each) and the void* table pointing at them: native memory, made on first use. */
    private MemorySegment slots, table;
    private Pointer tablePointer;
    /** Whether launches pass the packed slots (else JCuda's Pointer-per-argument marshalling). */
    private boolean packed;

    /** Modules load on first use: the driver JIT-compiles each one then (and caches the result on disk). */
    Kernels(CudaDevice device) {
        this.device = device;
    }

    /** Whether -Dkanna.cuda.launch=packed asks for packed arguments (the backend checks them first). */
    static boolean packedRequested() {
        return "packed".equals(System.getProperty("kanna.cuda.launch"));
    }

    boolean packedArguments() {
        return packed;
    }

    /** Selects the argument marshalling (the backend checks the packed one before keeping it). */
    synchronized void usePackedArguments(boolean on) {
        if (on && slots == null) {
            Arena arena = Arena.ofAuto();   // freed when this object is unreachable
            slots = arena.allocate(8L * MAX_ARGS, 16);
            table = arena.allocate(8L * MAX_ARGS, 16);
            for (int i = 0; i < MAX_ARGS; i++) table.setAtIndex(ValueLayout.JAVA_LONG, i, slots.address() + 8L * i);
            tablePointer = Pointer.to(table.asByteBuffer());
        }
        packed = on;
    }

    private CUmodule module(String name) {
        CUmodule module = modules.get(name);
        if (module != null) return module;
        module = new CUmodule();
        try {
            cuModuleLoadData(module, ptx(name));
        } catch (RuntimeException e) {
            throw new IllegalStateException("loading " + name + ".ptx on " + device.name + " failed: " + e.getMessage(), e);
        }
        modules.put(name, module);
        return module;
    }

    /** Whether this device can load the Hopper-only module (sm_90a code runs on 9.0 exactly). */
    boolean hopper() {
        return device.major == 9 && device.minor == 0;
    }

    /** Loads every module this device can run now (start-up cost up front, e.g. before timing). */
    void loadAll() {
        device.bind();
        synchronized (this) {
            for (String m : MODULES) if (!m.equals(HOPPER_MODULE) || hopper()) module(m);
        }
    }

    /** The PTX text of a module, NUL-terminated as cuModuleLoadData wants. */
    static byte[] ptx(String module) {
        String path = "/dev/kanna/cuda/" + module + ".ptx";
        try (InputStream in = Kernels.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing resource " + path + " (run cuda-kernels/build-ptx.sh)");
            byte[] text = in.readAllBytes();
            byte[] z = new byte[text.length + 1];
            System.arraycopy(text, 0, z, 0, text.length);
            return z;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f != null) return f;
        f = new CUfunction();
        try {
            cuModuleGetFunction(f, module(moduleOf(name)), name);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("no kernel named " + name + " in " + moduleOf(name) + ".ptx", e);
        }
        functions.put(name, f);
        return f;
    }

    private long launches;

    /** Kernel launches so far (benchmarks: launches per training step, host cost per launch). */
    public long launches() {
        return launches;
    }

    /** Launches name on a (gx, gy, gz) grid of 1-D blocks with sharedBytes of dynamic shared memory. */
    void launch(String name, int gx, int gy, int gz, int block, int sharedBytes, Object... args) {
        device.bind();
        CUfunction f = function(name);
        if (sharedBytes > DEFAULT_SHARED_LIMIT) raiseSharedLimit(f, name, sharedBytes);
        launchOn(f, name, gx, gy, gz, block, 1, sharedBytes, args);
    }

    /** 2-D blocks (bx, by), for the column-sum and transpose kernels. */
    void launch2d(String name, int gx, int gy, int bx, int by, Object... args) {
        device.bind();
        launchOn(function(name), name, gx, gy, 1, bx, by, 0, args);
    }

    private synchronized void launchOn(CUfunction f, String name, int gx, int gy, int gz, int bx, int by, int shared,
                                       Object[] args) {
        launches++;
        if (profile != null) profile.begin(name);
        if (packed && pack(args)) {
            cuLaunchKernel(f, gx, gy, gz, bx, by, 1, shared, device.stream, tablePointer, null);
        } else {
            cuLaunchKernel(f, gx, gy, gz, bx, by, 1, shared, device.stream, parameters(args), null);
        }
        if (profile != null) profile.end();
    }

    /** Writes args into the slots; false when one cannot be packed (a raw CUdeviceptr, too many). */
    private boolean pack(Object[] args) {
        if (args.length > MAX_ARGS) return false;
        for (int i = 0; i < args.length; i++) {
            long at = 8L * i;
            switch (args[i]) {
                case null -> slots.set(ValueLayout.JAVA_LONG, at, 0L);
                case DeviceBuffer b -> {
                    if (b.address() == 0) return false;
                    slots.set(ValueLayout.JAVA_LONG, at, b.address());
                }
                case Integer v -> slots.set(ValueLayout.JAVA_INT, at, v);
                case Long v -> slots.set(ValueLayout.JAVA_LONG, at, v);
                case Float v -> slots.set(ValueLayout.JAVA_FLOAT, at, v);
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- profile

    private Profile profile;
    private final List<CUevent> eventPool = new ArrayList<>();

    /** GPU time per kernel name over the launches of a profile. */
    public record KernelTime(String name, int launches, double millis) {
    }

    /** Brackets every launch from now on with device events (adds host cost: for one profiled step, not timing). */
    synchronized void startProfile() {
        device.bind();
        profile = new Profile();
    }

    /** Ends the profile, waits for its work, returns GPU time per kernel name, largest first. */
    synchronized List<KernelTime> stopProfile() {
        Profile p = profile;
        profile = null;
        device.synchronize();
        Map<String, double[]> byName = new TreeMap<>();   // name → {launches, ms}
        float[] ms = {0f};
        for (int i = 0; i < p.names.size(); i++) {
            cuEventElapsedTime(ms, eventPool.get(2 * i), eventPool.get(2 * i + 1));
            double[] t = byName.computeIfAbsent(p.names.get(i), k -> new double[2]);
            t[0]++;
            t[1] += ms[0];
        }
        List<KernelTime> out = new ArrayList<>();
        byName.forEach((name, t) -> out.add(new KernelTime(name, (int) t[0], t[1])));
        out.sort((a, b) -> Double.compare(b.millis(), a.millis()));
        return out;
    }

    private final class Profile {
        final List<String> names = new ArrayList<>();

        private CUevent event(int i) {
            while (eventPool.size() <= i) {
                CUevent e = new CUevent();
                cuEventCreate(e, 0);
                eventPool.add(e);
            }
            return eventPool.get(i);
        }

        void begin(String name) {
            cuEventRecord(event(2 * names.size()), device.stream);
            names.add(name);
        }

        void end() {
            cuEventRecord(event(2 * names.size() - 1), device.stream);
        }
    }

    private synchronized void raiseSharedLimit(CUfunction f, String name, int bytes) {
        if (sharedLimit.getOrDefault(f, DEFAULT_SHARED_LIMIT) >= bytes) return;
        if (bytes > device.maxSharedPerBlock) {
            throw new IllegalStateException(name + " needs " + bytes + " bytes of shared memory; " + device.name
                    + " allows " + device.maxSharedPerBlock);
        }
        cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
        sharedLimit.put(f, bytes);
    }

    private static Pointer parameters(Object[] args) {
        Pointer[] p = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            p[i] = switch (args[i]) {
                case null -> Pointer.to(new long[]{0L});
                case DeviceBuffer b -> Pointer.to(b.pointer());
                case CUdeviceptr d -> Pointer.to(d);
                case Integer v -> Pointer.to(new int[]{v});
                case Long v -> Pointer.to(new long[]{v});
                case Float v -> Pointer.to(new float[]{v});
                default -> throw new IllegalArgumentException("unsupported kernel argument " + args[i].getClass());
            };
        }
        return Pointer.to(p);
    }

    /** Blocks for a grid-stride loop over n elements: enough to fill the GPU, no more. */
    int gridFor(long n, int block) {
        long blocks = (n + block - 1) / block;
        return (int) Math.max(1, Math.min(blocks, (long) device.multiprocessors * 16));
    }

    void close() {
        device.bind();
        eventPool.forEach(e -> cuEventDestroy(e));
        eventPool.clear();
        modules.values().forEach(m -> cuModuleUnload(m));
        modules.clear();
        functions.clear();
    }
}
