/*
 * The conformance suite through Backend's default methods (linearActivation and addLayerNorm composed
 * from the basic ops, as a backend without fused kernels, e.g. CUDA at first, runs them): a proxy that
 * forwards every abstract method to a CPU backend and runs the interface's own default bodies.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.Backend;
import dev.kanna.backend.oracle.BackendConformance;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

class DefaultOpsBackendTest extends BackendConformance {
    @Override
    protected Backend openBackend() {
        CpuBackend cpu = new CpuBackend(2);
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault() && !method.getName().equals("close")) return InvocationHandler.invokeDefault(proxy, method, args);
            try {
                return method.invoke(cpu, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, handler);
    }
}
