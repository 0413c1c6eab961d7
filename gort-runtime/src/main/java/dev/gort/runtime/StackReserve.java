package dev.gort.runtime;

/**
 * Stack for the runtime's own work, reserved at its door ({@link Entry}). Go runs its
 * runtime on the system stack, so a goroutine that has used up its own stack can never
 * leave a runtime operation half done. gort's runtime runs on the caller's stack, and a
 * {@link StackOverflowError} thrown at any call inside an operation (a channel locked and
 * never unlocked, a goroutine made runnable and never queued) would break the runtime for
 * every goroutine; a recursion that sends and receives at every level, with the error
 * caught at the top, did so one run in three.
 *
 * <h2>How</h2>
 * The JVM throws StackOverflowError only when a method is entered: every entry "bangs"
 * the stack some distance below its frame and fails if that lands in the guard zone. So
 * if one method entered at the door bangs as deep as the deepest runtime operation will
 * go, everything after it fits: the error, if any, is thrown at the door, before the
 * runtime has done anything. {@link #reserve()} is that method. Its callee {@link #frame}
 * declares {@link #SLOTS} local slots and uses none: interpreted, the frame is really that
 * big (and the interpreter checks for the room first); compiled and inlined, it costs
 * nothing to run, but the JIT bangs for the interpreter frames it would need on
 * deoptimization (HotSpot's {@code bang_size_in_bytes}, which counts the inlined callee's
 * locals at a call in its scope, so that call must stay a call: {@link #untaken}), so the
 * compiled door bangs as deep. Checked interpreted, with C1 alone and with C2
 * (RuntimeStackOverflowTest). Measured: a
 * ping-pong round trip is not slower (318-325 ns against 318-352 ns without, GOMAXPROCS=1,
 * bench/RESULTS.md).
 *
 * <p>How much: {@link #SLOTS} 8-byte slots, 8 KB below the door, on top of the JVM's own
 * shadow zone (the 80 KB every entry bangs, which covers native and VM code). The deepest
 * runtime operations (a newproc that wakes an M, a park that yields the continuation) use
 * a few kilobytes even interpreted; RuntimeStackOverflowTest fills the stack up to the
 * runtime's door with each kind of operation and checks that the runtime still works.
 *
 * <p>Rejected: a recursive probe of a kilobyte or two (it ran at every entry: 40 ns a
 * round trip, 12 percent, and still too shallow now and then); catching the error and
 * undoing what the operation did (every call in every locked section would need an undo);
 * {@code @ReservedStackAccess}, the JDK's answer for its own locks, which the JVM honours
 * only in the JDK's own classes (gort's too under the agent, on the boot class path, but
 * not on the class path).
 */
final class StackReserve {
    private StackReserve() {}

    /** The slots of {@link #frame}: 1024 (512 longs), 8 KB. */
    static final int SLOTS = 1024;

    /** Never true: keeps a call (with the frame's debug state) in {@link #frame}, which the JIT must size for. */
    private static volatile boolean never;

    /** Bang the stack as deep as the runtime can go from here: a StackOverflowError, if any, is thrown now. */
    static void reserve() {
        frame();
    }

    @SuppressWarnings("unused") // the slots are the point
    private static void frame() {
        long r0, r1, r2, r3, r4, r5, r6, r7;
        long r8, r9, r10, r11, r12, r13, r14, r15;
        long r16, r17, r18, r19, r20, r21, r22, r23;
        long r24, r25, r26, r27, r28, r29, r30, r31;
        long r32, r33, r34, r35, r36, r37, r38, r39;
        long r40, r41, r42, r43, r44, r45, r46, r47;
        long r48, r49, r50, r51, r52, r53, r54, r55;
        long r56, r57, r58, r59, r60, r61, r62, r63;
        long r64, r65, r66, r67, r68, r69, r70, r71;
        long r72, r73, r74, r75, r76, r77, r78, r79;
        long r80, r81, r82, r83, r84, r85, r86, r87;
        long r88, r89, r90, r91, r92, r93, r94, r95;
        long r96, r97, r98, r99, r100, r101, r102, r103;
        long r104, r105, r106, r107, r108, r109, r110, r111;
        long r112, r113, r114, r115, r116, r117, r118, r119;
        long r120, r121, r122, r123, r124, r125, r126, r127;
        long r128, r129, r130, r131, r132, r133, r134, r135;
        long r136, r137, r138, r139, r140, r141, r142, r143;
        long r144, r145, r146, r147, r148, r149, r150, r151;
        long r152, r153, r154, r155, r156, r157, r158, r159;
        long r160, r161, r162, r163, r164, r165, r166, r167;
        long r168, r169, r170, r171, r172, r173, r174, r175;
        long r176, r177, r178, r179, r180, r181, r182, r183;
        long r184, r185, r186, r187, r188, r189, r190, r191;
        long r192, r193, r194, r195, r196, r197, r198, r199;
        long r200, r201, r202, r203, r204, r205, r206, r207;
        long r208, r209, r210, r211, r212, r213, r214, r215;
        long r216, r217, r218, r219, r220, r221, r222, r223;
        long r224, r225, r226, r227, r228, r229, r230, r231;
        long r232, r233, r234, r235, r236, r237, r238, r239;
        long r240, r241, r242, r243, r244, r245, r246, r247;
        long r248, r249, r250, r251, r252, r253, r254, r255;
        long r256, r257, r258, r259, r260, r261, r262, r263;
        long r264, r265, r266, r267, r268, r269, r270, r271;
        long r272, r273, r274, r275, r276, r277, r278, r279;
        long r280, r281, r282, r283, r284, r285, r286, r287;
        long r288, r289, r290, r291, r292, r293, r294, r295;
        long r296, r297, r298, r299, r300, r301, r302, r303;
        long r304, r305, r306, r307, r308, r309, r310, r311;
        long r312, r313, r314, r315, r316, r317, r318, r319;
        long r320, r321, r322, r323, r324, r325, r326, r327;
        long r328, r329, r330, r331, r332, r333, r334, r335;
        long r336, r337, r338, r339, r340, r341, r342, r343;
        long r344, r345, r346, r347, r348, r349, r350, r351;
        long r352, r353, r354, r355, r356, r357, r358, r359;
        long r360, r361, r362, r363, r364, r365, r366, r367;
        long r368, r369, r370, r371, r372, r373, r374, r375;
        long r376, r377, r378, r379, r380, r381, r382, r383;
        long r384, r385, r386, r387, r388, r389, r390, r391;
        long r392, r393, r394, r395, r396, r397, r398, r399;
        long r400, r401, r402, r403, r404, r405, r406, r407;
        long r408, r409, r410, r411, r412, r413, r414, r415;
        long r416, r417, r418, r419, r420, r421, r422, r423;
        long r424, r425, r426, r427, r428, r429, r430, r431;
        long r432, r433, r434, r435, r436, r437, r438, r439;
        long r440, r441, r442, r443, r444, r445, r446, r447;
        long r448, r449, r450, r451, r452, r453, r454, r455;
        long r456, r457, r458, r459, r460, r461, r462, r463;
        long r464, r465, r466, r467, r468, r469, r470, r471;
        long r472, r473, r474, r475, r476, r477, r478, r479;
        long r480, r481, r482, r483, r484, r485, r486, r487;
        long r488, r489, r490, r491, r492, r493, r494, r495;
        long r496, r497, r498, r499, r500, r501, r502, r503;
        long r504, r505, r506, r507, r508, r509, r510, r511;
        if (never) {
            untaken();
        }
    }

    /**
     * Never runs. Kept bigger than C1's inlining limit (C1MaxInlineSize, 35 bytes): inlined,
     * its call would vanish from {@link #frame}, and with it the debug state that makes C1
     * size the bang for the frame's slots (found with -XX:TieredStopAtLevel=1, the setting
     * of many IDEs' run configurations).
     */
    private static void untaken() {
        if (never) {
            sink = sink * 31 + 1;
            sink = sink * 31 + 2;
            sink = sink * 31 + 3;
            sink = sink * 31 + 4;
            sink = sink * 31 + 5;
        }
        never = false;
    }

    private static long sink;
}
