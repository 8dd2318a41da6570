*        LADDER: the workload of the overhead-ladder reproduction. The
*        same binary runs bare metal, in a PR/SM partition and in a CP
*        virtual machine (SIE or trap-and-emulate). It is mostly CPU
*        work with the interruptions an operating system really takes:
*        - a small supervisor (DAT off, disabled) sets up one DAT
*          address space mapping virtual = real for the first 1 MB
*          (segment table at X'8000', page table at X'8400');
*        - the task runs in problem state with DAT on: ROUNDS rounds
*          of PASSES passes over a 64-page working area (load, add,
*          store one word per page); after each round it asks for a
*          disk read (SVC 1) and goes on computing while the read
*          runs, as a multiprogramming system overlaps I/O with work;
*          the supervisor waits only if the previous read is still
*          running; SVC 0 ends;
*        - the disk is a 3390 on subchannel 0; each read is SEEK,
*          SEARCH ID EQUAL, TIC, READ DATA of the VOL1 label (cylinder
*          0, head 0, record 3) into DISKBUF;
*        - the I/O interruption (TSCH) counts completions in IOCOUNT;
*        - the CPU timer interrupts the task every millisecond (an
*          external interruption, re-armed with SPT), as a time-slicing
*          supervisor's clock would; TICKS counts them;
*        - at the end: a disabled wait with address 0; X'F00' means an
*          I/O failed, X'BAD' an unexpected program interruption.
*        ROUNDS and PASSES are words the reproduction sets before the
*        run.
LADDER   START X'1000'
         BALR  12,0
         USING *,12
         ST    12,X'340'
         MVC   X'58'(8),EXTNEW
         MVC   X'60'(8),SVCNEW
         MVC   X'68'(8),PGMNEW
         MVC   X'78'(8),IONEW
         LCTL  6,6,=X'80000000'
         LCTL  0,0,=X'00B00400'
*        Disk subchannel 0 enabled.
         L     1,=X'00010000'
         STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
*        Page table: 256 entries, virtual page n -> real page n.
         L     2,=A(X'8400')
         SR    3,3
         LA    4,256
PTLOOP   ST    3,0(2)
         LA    2,4(2)
         A     3,=F'4096'
         BCT   4,PTLOOP
*        Segment table: entry 0 -> the page table (PTL 15: 256
*        entries), entries 1-15 invalid.
         L     2,=A(X'8000')
         L     3,=A(X'840F')
         ST    3,0(2)
         LA    4,15
         LA    5,X'20'
STLOOP   LA    2,4(2)
         ST    5,0(2)
         BCT   4,STLOOP
         LCTL  1,1,=A(X'8000')
         PTLB
         SPT   QUANTUM
         LPSW  TASKPSW
*        The task (problem state, DAT on, I/O and external
*        interruptions on).
TASK     L     9,ROUNDS
ROUND    L     8,PASSES
PASS     L     3,=A(AREA)
         LA    4,64
PAGE     L     5,0(3)
         LA    5,1(5)
         ST    5,0(3)
         AL    3,=F'4096'
         BCT   4,PAGE
         BCT   8,PASS
         SVC   1
         BCT   9,ROUND
         SVC   0
*        CPU timer: count the tick, re-arm, resume the task.
EXTINT   STM   0,15,X'300'
         L     12,X'340'
         L     2,TICKS
         LA    2,1(2)
         ST    2,TICKS
         SPT   QUANTUM
         LM    0,15,X'300'
         LPSW  X'18'
*        SVC 1: start a disk read (after the previous one ended);
*        SVC 0: wait for the last read, then stop.
SVCINT   STM   0,15,X'300'
         L     12,X'340'
         LH    2,X'8A'
         CH    2,=H'1'
         BNE   FINISH
         BAL   14,IDLE
         L     1,=X'00010000'
         SSCH  ORBREAD
         BNZ   FAIL
         MVI   BUSY,1
         LM    0,15,X'300'
         LPSW  X'20'
FINISH   BAL   14,IDLE
         LPSW  FINAL
*        Return (R14) once no read is outstanding; otherwise wait,
*        enabled for I/O only, with this routine as the wait PSW's
*        address (the I/O handler turns the wait bit off).
IDLE     CLI   BUSY,0
         BER   14
         LPSW  WAITPSW
*        I/O interruption: take the status, count a normal end.
IOINT    STM   0,15,X'380'
         L     12,X'340'
         L     1,=X'00010000'
         TSCH  IRB
         BNZ   IORET
         TM    IRB+3,X'04'
         BZ    IORET
         CLI   IRB+8,X'0C'
         BNE   FAIL
         CLI   IRB+9,X'00'
         BNE   FAIL
         MVI   BUSY,0
         L     2,IOCOUNT
         LA    2,1(2)
         ST    2,IOCOUNT
IORET    NI    X'39',X'FD'
         LM    0,15,X'380'
         LPSW  X'38'
FAIL     LPSW  FAILPSW
*
         DS    0D
EXTNEW   DC    X'00080000',A(X'80000000'+EXTINT)
SVCNEW   DC    X'00080000',A(X'80000000'+SVCINT)
PGMNEW   DC    X'000A0000',X'00000BAD'
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
WAITPSW  DC    X'020A0000',A(X'80000000'+IDLE)
FINAL    DC    X'000A0000',X'00000000'
FAILPSW  DC    X'000A0000',X'00000F00'
TASKPSW  DC    X'07090000',A(X'80000000'+TASK)
*        1 ms: bit 51 of the CPU timer is one microsecond.
QUANTUM  DC    X'00000000',X'003E8000'
ROUNDS   DC    F'4'
PASSES   DC    F'100'
TICKS    DC    F'0'
IOCOUNT  DC    F'0'
BUSY     DC    X'00'
         DS    0F
ORBREAD  DC    F'1',X'00808000',A(CCWREAD)
         DS    0D
CCWREAD  DC    X'07',X'40',AL2(6),A(SEEK0)
CCWSRCH  DC    X'31',X'40',AL2(5),A(ID003)
         DC    X'08',X'00',AL2(0),A(CCWSRCH)
         DC    X'06',X'00',AL2(80),A(DISKBUF)
SEEK0    DC    X'000000000000'
ID003    DC    X'0000000003'
         DS    0F
SCHIB    DS    XL52
IRB      DS    XL64
DISKBUF  DS    CL80
         LTORG
*        The working area: 64 pages from X'40000'.
AREA     EQU   X'40000'
         END   LADDER
