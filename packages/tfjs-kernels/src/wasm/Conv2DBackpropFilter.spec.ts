import { describeConvKernelAgainstStockCpu } from '../test-utils/conv-kernel-suite';

describeConvKernelAgainstStockCpu('Conv2DBackpropFilter', 'wasm');
