*        MINIKERN: a small multiprogramming kernel for ESA/390,
*        the test guest of hypervisor-cp. Bare metal it owns a 3215
*        console (subchannel 0) and a 3390 disk (subchannel 1); under
*        CP the same binary runs in a virtual machine. It
*        - reads a greeting from the disk (cylinder 1, record 1) and
*          prints it;
*        - builds two address spaces with DAT (segment tables at
*          X'8000' and X'9000', page tables at X'8800' and X'9800',
*          16 pages each, mapped to real X'20000' and X'30000');
*        - runs the TASK program (loaded at real X'21000' and
*          X'31000') in both, in problem state, preempting them with
*          CPU-timer interruptions (round robin, 10 microseconds);
*        - serves SVC 0 (end), SVC 1 (print: R1 message address, R0
*          length, translated with LRA) and SVC 3 (write the 80-byte
*          record at R1 as the task's record on cylinder 2);
*        - prints ALL TASKS DONE and loads a disabled wait PSW with
*          address 0; X'F00' means an I/O failed, X'BAD' an
*          unexpected program interruption.
*        The kernel runs with DAT off, disabled, in supervisor state.
*        TCB: +0 STD, +4 state (0 ready, 1 done), +8 PSW,
*        +16 GR0-15, +80 the other TCB, +84 the task's record number.
KERNEL   START X'1000'
         BALR  12,0
         USING *,12
*        The interruption handlers find the kernel's base register at
*        X'340'.
         ST    12,X'340'
         MVC   X'58'(8),EXTNEW
         MVC   X'60'(8),SVCNEW
         MVC   X'68'(8),PGMNEW
         MVC   X'78'(8),IONEW
         LCTL  6,6,=X'80000000'
         LCTL  0,0,=X'00B00400'
         L     1,=X'00010000'
         BAL   14,ENABLE
         L     1,=X'00010001'
         BAL   14,ENABLE
*        Greeting from the disk.
         L     1,=X'00010001'
         LA    2,ORBREAD
         BAL   14,DOIO
         L     1,=X'00010000'
         LA    2,ORBBOOT
         BAL   14,DOIO
*        Two address spaces.
         L     2,=A(X'8800')
         L     3,=A(X'20000')
         BAL   14,BUILDPT
         L     2,=A(X'9800')
         L     3,=A(X'30000')
         BAL   14,BUILDPT
         L     2,=A(X'8000')
         L     3,=A(X'8800')
         BAL   14,BUILDST
         L     2,=A(X'9000')
         L     3,=A(X'9800')
         BAL   14,BUILDST
*        Task parameters at virtual X'800' of each space.
         L     2,=A(X'20800')
         MVC   0(8,2),PARMA
         L     2,=A(X'30800')
         MVC   0(8,2),PARMB
         LA    11,TCBA
         ST    11,CURTCB
*        Dispatch the task whose TCB is in R11.
DISPATCH LCTL  1,1,0(11)
         PTLB
         SPT   QUANTUM
         MVC   X'200'(8),8(11)
         LM    0,15,16(11)
         LPSW  X'200'
*        CPU timer: save the task, switch to the other if ready.
EXTINT     STM   0,15,X'300'
         L     12,X'340'
         L     11,CURTCB
         MVC   16(64,11),X'300'
         MVC   8(8,11),X'18'
         L     10,80(11)
         CLI   7(10),0
         BNE   EXTSAME
         LR    11,10
         ST    11,CURTCB
EXTSAME  B     DISPATCH
*        SVC: save the task, serve the call.
SVCINT     STM   0,15,X'300'
         L     12,X'340'
         L     11,CURTCB
         MVC   16(64,11),X'300'
         MVC   8(8,11),X'20'
         LH    2,X'8A'
         CH    2,=H'1'
         BE    SVCPRINT
         CH    2,=H'3'
         BE    SVCWRITE
         MVI   7(11),1
         L     10,80(11)
         CLI   7(10),0
         BNE   ALLDONE
         LR    11,10
         ST    11,CURTCB
         B     DISPATCH
ALLDONE  L     1,=X'00010000'
         LA    2,ORBDONE
         BAL   14,DOIO
         LPSW  FINAL
SVCPRINT L     3,20(11)
         LRA   4,0(3)
         BNZ   FAIL
         L     5,16(11)
         BCTR  5,0
         EX    5,MVCPRT
         LA    5,1(5)
         STH   5,CCWPRT+2
         L     1,=X'00010000'
         LA    2,ORBPRT
         BAL   14,DOIO
         B     DISPATCH
SVCWRITE L     3,20(11)
         LRA   4,0(3)
         BNZ   FAIL
         MVC   DISKBUF(80),0(4)
         L     5,84(11)
         STC   5,IDW+4
         L     1,=X'00010001'
         LA    2,ORBWRITE
         BAL   14,DOIO
         B     DISPATCH
*        Subroutines (R14 return; the kernel base is R12).
ENABLE   STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         BR    14
DOIO     SSCH  0(2)
         BNZ   FAIL
WAITIO   LPSW  WAITPSW
IOINT    TSCH  IRB
         BNZ   WAITIO
         TM    IRB+3,X'04'
         BZ    WAITIO
         CLI   IRB+8,X'0C'
         BNE   FAIL
         CLI   IRB+9,X'00'
         BNE   FAIL
         BR    14
FAIL     LPSW  FAILPSW
BUILDPT  LA    4,16
PTLOOP   ST    3,0(2)
         LA    2,4(2)
         A     3,=F'4096'
         BCT   4,PTLOOP
         BR    14
BUILDST  ST    3,0(2)
         LA    4,15
         LA    5,X'20'
STLOOP   LA    2,4(2)
         ST    5,0(2)
         BCT   4,STLOOP
         BR    14
MVCPRT   MVC   PRTBUF(0),0(4)
*
         DS    0D
EXTNEW   DC    X'00080000',A(X'80000000'+EXTINT)
SVCNEW   DC    X'00080000',A(X'80000000'+SVCINT)
PGMNEW   DC    X'000A0000',X'00000BAD'
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
WAITPSW  DC    X'020A0000',X'80000000'
FINAL    DC    X'000A0000',X'00000000'
FAILPSW  DC    X'000A0000',X'00000F00'
QUANTUM  DC    X'00000000',X'0000A000'
TCBA     DC    A(X'8000'),F'0',X'05090000',X'80001000'
         DC    16F'0'
         DC    A(TCBB),F'1'
TCBB     DC    A(X'9000'),F'0',X'05090000',X'80001000'
         DC    16F'0'
         DC    A(TCBA),F'2'
CURTCB   DC    F'0'
*        The tasks' N: how many numbers each sums. The bench assembles
*        a longer run by changing these two EQUs (nothing else); sums
*        stay below 2**31 up to N = 65535.
NA       EQU   2000
NB       EQU   4400
PARMA    DC    A(NA),C'A   '
PARMB    DC    A(NB),C'B   '
ORBREAD  DC    F'1',X'00808000',A(CCWREAD)
ORBBOOT  DC    F'2',X'00808000',A(CCWBOOT)
ORBPRT   DC    F'3',X'00808000',A(CCWPRT)
ORBWRITE DC    F'4',X'00808000',A(CCWWRITE)
ORBDONE  DC    F'5',X'00808000',A(CCWDONE)
         DS    0D
CCWREAD  DC    X'07',X'40',AL2(6),A(SEEK1)
         DC    X'31',X'40',AL2(5),A(ID101)
         DC    X'08',X'00',AL2(0),A(CCWREAD+8)
         DC    X'06',X'20',AL2(80),A(BOOTBUF)
CCWBOOT  DC    X'09',X'20',AL2(80),A(BOOTBUF)
CCWPRT   DC    X'09',X'20',AL2(0),A(PRTBUF)
CCWDONE  DC    X'09',X'20',AL2(14),A(DONEMSG)
CCWWRITE DC    X'07',X'40',AL2(6),A(SEEK2)
         DC    X'31',X'40',AL2(5),A(IDW)
         DC    X'08',X'00',AL2(0),A(CCWWRITE+8)
         DC    X'05',X'20',AL2(80),A(DISKBUF)
SEEK1    DC    X'000000010000'
ID101    DC    X'0001000001'
SEEK2    DC    X'000000020000'
IDW      DC    X'0002000001'
DONEMSG  DC    C'ALL TASKS DONE'
         DS    0F
SCHIB    DS    XL52
IRB      DS    XL64
BOOTBUF  DS    CL80
PRTBUF   DS    CL80
DISKBUF  DS    CL80
         END   KERNEL

