*---------------------------------------------------------------------*
* SUPER: a tiny time-sharing supervisor for a bare ESA/390 machine.   *
*                                                                     *
* `strachey demo` assembles this file at run time, loads it at        *
* absolute 0 and presses restart. What it shows is the machinery      *
* every IBM operating system since OS/360 is built on:                *
*                                                                     *
* - new PSWs in the assigned storage locations (low core) route each  *
*   interruption class to its handler, in supervisor state with       *
*   interruptions disabled (POP "Assigned Storage Locations");        *
* - three problem-state tasks run under their own PSW keys; storage   *
*   keys set with SSKE let each store only into its own storage       *
*   (POP "Key-Controlled Protection");                                *
* - the CPU timer (SPT) gives each task a time slice; when it goes    *
*   negative an external interruption (code X'1005') takes the CPU    *
*   back, and the dispatcher runs the next ready task round-robin;    *
* - tasks ask for services with SVC: 1 REPORT a result, 2 LOG an      *
*   event, 3 EXIT (the OS/360 number);                                *
* - a program interruption in a task ends that task (an abend) and    *
*   leaves the rest running;                                          *
* - the CPU timer read back with STPT charges each task the CPU time  *
*   it used, and STCK brackets the run in TOD-clock time.             *
*                                                                     *
* The tasks: SIEVE counts the primes below SIEVEN (sieve of           *
* Eratosthenes in a byte array at ARRAY), COLLATZ finds the start     *
* below COLLATZN with the longest Collatz chain and LOGs each new     *
* record, ROGUE spins ROGUEN times and then tries to overwrite the    *
* external new PSW to take the machine over; key protection stops it. *
*                                                                     *
* When no task is left the supervisor loads a disabled-wait PSW. Its  *
* address field is the wait code: 0 when every task ended, otherwise  *
* the location of the new PSW that caught a supervisor failure        *
* (X'E58' external, X'E68' program, X'E70' machine check, X'E78' I/O).*
*                                                                     *
* Everything the supervisor owns is in the first 4 KB, addressed      *
* with base register 0. The host reads the results from the labels    *
* below (TCBS, NSVC, LOG, ...), so this file is the only place the    *
* layout is written down.                                             *
*---------------------------------------------------------------------*
SUPER    START 0
         USING SUPER,0                first 4K: register 0 supplies 0
R0       EQU   0
R1       EQU   1
R2       EQU   2
R3       EQU   3
R4       EQU   4
R5       EQU   5
R6       EQU   6
R7       EQU   7
R8       EQU   8
R9       EQU   9
R10      EQU   10
R11      EQU   11
R12      EQU   12
R13      EQU   13
R14      EQU   14
R15      EQU   15
*
* Assigned storage locations the supervisor reads.
EXTOLD   EQU   X'18'                  external old PSW
SVCOLD   EQU   X'20'                  SVC old PSW
PGMOLD   EQU   X'28'                  program old PSW
EXTCODE  EQU   X'86'                  external-interruption code
SVCNUM   EQU   X'8A'                  SVC number (halfword)
PGMID    EQU   X'8C'                  program ILC and interruption code
*
* Storage keys and task states.
KEYSIEVE EQU   8                      PSW key of SIEVE and of its array
ARRAY    EQU   X'100000'              SIEVE's byte array (1 MB and up)
READY    EQU   0
ENDED    EQU   1
ABENDED  EQU   2
NTASKS   EQU   3
LOGCAP   EQU   64                     entries in the SVC 2 log
*
* A task control block (TCB): what the dispatcher keeps per task.
TCBPSW   EQU   0                      PSW to resume the task with (8)
TCBGPR   EQU   8                      general registers 0-15 (64)
TCBCPU   EQU   72                     CPU time used, timer units (8)
TCBNAME  EQU   80                     name, EBCDIC (8)
TCBRES   EQU   88                     results of SVC 1, slots 0-3 (16)
TCBDISP  EQU   104                    times dispatched (4)
TCBSVC   EQU   108                    SVCs issued (4)
TCBABEND EQU   112                    ILC and code of the abend (4)
TCBSTAT  EQU   116                    READY, ENDED or ABENDED (1)
TCBNUM   EQU   117                    task number, 1-3 (1)
TCBABPSW EQU   120                    old PSW of the abend (8)
TCBLEN   EQU   128
*
*---------------------------------------------------------------------*
* Low core: the restart new PSW and the new PSWs of the interruption  *
* classes. Supervisor state, key 0, 31-bit, every mask off.           *
*---------------------------------------------------------------------*
         DC    X'00080000',X'80',AL3(INIT)   restart new PSW
         ORG   SUPER+X'58'
EXTNEW   DC    X'00080000',X'80',AL3(EXTINT) external new PSW
SVCNEW   DC    X'00080000',X'80',AL3(SVCINT) SVC new PSW
PGMNEW   DC    X'00080000',X'80',AL3(PGMINT) program new PSW
MCKNEW   DC    X'000A0000',A(X'E70')         machine-check new PSW
IONEW    DC    X'000A0000',A(X'E78')         I/O new PSW
*
*---------------------------------------------------------------------*
* Parameters: the host may store other values here before restart.   *
*---------------------------------------------------------------------*
         ORG   SUPER+X'200'
SLICE    DC    F'0',F'4096000'        time slice: 1 ms, timer format
SIEVEN   DC    F'1000000'             SIEVE: count primes below this
COLLATZN DC    F'100000'              COLLATZ: longest chain below this
ROGUEN   DC    F'1000000'             ROGUE: spin this often, attack
*
*---------------------------------------------------------------------*
* Results and the supervisor's own counters.                          *
*---------------------------------------------------------------------*
         DS    0D
TODSTART DC    XL8'00'                STCK at the start
TODEND   DC    XL8'00'                STCK when the last task ended
NOWTIME  DC    XL8'00'                CPU timer on entry to a handler
LASTTIME DC    XL8'00'                CPU timer when a task resumed
DISPPSW  DC    XL8'00'                PSW the dispatcher loads
NSVC     DC    F'0'                   SVC interruptions taken
NEXT     DC    F'0'                   external interruptions taken
NPGM     DC    F'0'                   program interruptions taken
LOGCOUNT DC    F'0'                   SVC 2 calls (LOG keeps LOGCAP)
CURTCB   DC    A(TCB3)                TCB of the task on the CPU
WORK     DC    F'0'
SAVEGPR  DC    16F'0'                 registers of the interrupted task
*
*---------------------------------------------------------------------*
* INIT: entered by the restart interruption.                          *
*---------------------------------------------------------------------*
INIT     STCK  TODSTART
         STCTL R0,R0,WORK
         OC    WORK,=X'00000400'      CR0 bit 21: CPU-timer subclass
         LCTL  R0,R0,WORK
*        Give SIEVE's array the key of SIEVE's PSW, page by page.
         L     R2,=A(ARRAY)
         LR    R5,R2
         A     R5,SIEVEN              end of the array
         LHI   R1,KEYSIEVE*16         key in bits 24-27 of R1
INITKEY  SSKE  R1,R2
         AHI   R2,4096
         CLR   R2,R5
         JL    INITKEY
*        Hand the tasks their parameters in R1 (and R2), as OS/360 did.
         MVC   TCB1+TCBGPR+4(4),SIEVEN
         MVC   TCB1+TCBGPR+8(4),=A(ARRAY)
         MVC   TCB2+TCBGPR+4(4),COLLATZN
         MVC   TCB3+TCBGPR+4(4),ROGUEN
*
*---------------------------------------------------------------------*
* DISPATCH: run the next ready task after CURTCB, round-robin, for    *
* one time slice. With no task left, stop in a disabled wait.         *
*---------------------------------------------------------------------*
DISPATCH L     R3,CURTCB
         LHI   R5,NTASKS
DSPNEXT  AHI   R3,TCBLEN
         CL    R3,=A(TCBEND)
         JL    DSPTEST
         LA    R3,TCBS
DSPTEST  CLI   TCBSTAT(R3),READY
         JE    DSPGO
         JCT   R5,DSPNEXT
         STCK  TODEND                 every task has ended
         LPSW  DONEPSW
DSPGO    ST    R3,CURTCB
         L     R4,TCBDISP(,R3)
         AHI   R4,1
         ST    R4,TCBDISP(,R3)
         SPT   SLICE                  a fresh time slice
         MVC   LASTTIME,SLICE
         MVC   DISPPSW,TCBPSW(R3)
         LM    R0,R15,TCBGPR(R3)      address formed before R3 changes
         LPSW  DISPPSW
*
*---------------------------------------------------------------------*
* EXTINT: the CPU timer went negative; preempt the running task.      *
*---------------------------------------------------------------------*
EXTINT   STM   R0,R15,SAVEGPR
         STPT  NOWTIME
         CLC   EXTCODE(2),=X'1005'    only the CPU timer is enabled
         JNE   EXTERR
         L     R4,NEXT
         AHI   R4,1
         ST    R4,NEXT
         L     R3,CURTCB
         BAS   R14,CHARGE
         MVC   TCBPSW(8,R3),EXTOLD
         MVC   TCBGPR(64,R3),SAVEGPR
         J     DISPATCH
EXTERR   LPSW  EXTWAIT
*
*---------------------------------------------------------------------*
* SVCINT: a task asks for a service. SVC 1 REPORT: store R1 in result *
* slot R0 (0-3). SVC 2 LOG: append (task, R0, R1) to LOG. SVC 3 EXIT. *
* Any other SVC number ends the task with abend code X'8000nnnn'.     *
*---------------------------------------------------------------------*
SVCINT   STM   R0,R15,SAVEGPR
         STPT  NOWTIME
         L     R4,NSVC
         AHI   R4,1
         ST    R4,NSVC
         L     R3,CURTCB
         BAS   R14,CHARGE
         L     R4,TCBSVC(,R3)
         AHI   R4,1
         ST    R4,TCBSVC(,R3)
         LH    R4,SVCNUM
         CHI   R4,1
         JE    SVCREPT
         CHI   R4,2
         JE    SVCLOG
         CHI   R4,3
         JE    SVCEXIT
         O     R4,=X'80000000'        undefined SVC: abend the task
         ST    R4,TCBABEND(,R3)
         MVC   TCBABPSW(8,R3),SVCOLD
         MVC   TCBGPR(64,R3),SAVEGPR
         MVI   TCBSTAT(R3),ABENDED
         J     DISPATCH
SVCREPT  L     R4,SAVEGPR             the task's R0: slot number
         N     R4,=F'3'
         SLL   R4,2
         L     R5,SAVEGPR+4           the task's R1: the result
         ST    R5,TCBRES(R4,R3)
         J     SVCRET
SVCLOG   L     R4,LOGCOUNT
         CHI   R4,LOGCAP
         JNL   SVCLOGN                log full: count the call only
         LR    R5,R4
         MHI   R5,12
         LA    R5,LOG(R5)
         SR    R6,R6
         IC    R6,TCBNUM(,R3)
         ST    R6,0(,R5)
         MVC   4(8,R5),SAVEGPR        the task's R0 and R1
SVCLOGN  AHI   R4,1
         ST    R4,LOGCOUNT
         J     SVCRET
SVCEXIT  MVI   TCBSTAT(R3),ENDED
         J     DISPATCH
SVCRET   STPT  LASTTIME               the slice goes on from here
         LM    R0,R15,SAVEGPR
         LPSW  SVCOLD
*
*---------------------------------------------------------------------*
* PGMINT: a program interruption. In a task it is an abend: record    *
* the code and the old PSW and run the others. In the supervisor it   *
* is a bug: stop.                                                     *
*---------------------------------------------------------------------*
PGMINT   STM   R0,R15,SAVEGPR
         STPT  NOWTIME
         L     R4,NPGM
         AHI   R4,1
         ST    R4,NPGM
         TM    PGMOLD+1,X'01'         problem state?
         JZ    PGMERR
         L     R3,CURTCB
         BAS   R14,CHARGE
         MVC   TCBABEND(4,R3),PGMID
         MVC   TCBABPSW(8,R3),PGMOLD
         MVC   TCBGPR(64,R3),SAVEGPR
         MVI   TCBSTAT(R3),ABENDED
         J     DISPATCH
PGMERR   LPSW  PGMWAIT
*
*---------------------------------------------------------------------*
* CHARGE: add the CPU time since LASTTIME to the task at R3. The CPU  *
* timer counts down; a slice is far below 2**32 units (~1 s), so the  *
* low words suffice for the difference. The sum is 64 bits.           *
*---------------------------------------------------------------------*
CHARGE   L     R4,LASTTIME+4
         SL    R4,NOWTIME+4
         L     R5,TCBCPU+4(,R3)
         ALR   R5,R4
         ST    R5,TCBCPU+4(,R3)
         BCR   12,R14                 condition code 0 or 1: no carry
         L     R5,TCBCPU(,R3)
         AHI   R5,1
         ST    R5,TCBCPU(,R3)
         BR    R14
*
*---------------------------------------------------------------------*
* SIEVE (key 8): R1 = N, R2 = byte array. Counts the primes below N   *
* and REPORTs the count (slot 0) and the largest (slot 1).            *
*---------------------------------------------------------------------*
SIEVE    LR    R10,R1                 N
         LR    R4,R2                  clear N bytes: MVCL with an
         LR    R5,R10                 empty source pads with X'00'
         SR    R6,R6
         SR    R7,R7
         MVCL  R4,R6
         LHI   R11,1                  the mark of a composite
         LR    R7,R10
         BCTR  R7,0                   BXLE limit: N-1
         LHI   R3,2                   i
SVOUTER  LR    R13,R3
         MR    R12,R3                 R13 = i*i
         CLR   R13,R10
         JNL   SVCOUNT                i*i >= N: marking is done
         LA    R9,0(R3,R2)
         CLI   0(R9),0
         JNE   SVNEXTI                i is composite
         LR    R4,R13                 j = i*i
         LR    R6,R3                  step i
SVMARK   STC   R11,0(R4,R2)
         BXLE  R4,R6,SVMARK           j += i while j <= N-1
SVNEXTI  AHI   R3,1
         J     SVOUTER
SVCOUNT  SR    R5,R5                  count
         SR    R12,R12                largest
         LHI   R3,2
         CLR   R3,R10
         JNL   SVREPORT
SVSCAN   LA    R9,0(R3,R2)
         CLI   0(R9),0
         JNE   SVSKIP
         AHI   R5,1
         LR    R12,R3
SVSKIP   AHI   R3,1
         CLR   R3,R10
         JL    SVSCAN
SVREPORT SR    R0,R0
         LR    R1,R5
         SVC   1                      REPORT slot 0: the count
         LHI   R0,1
         LR    R1,R12
         SVC   1                      REPORT slot 1: the largest
         SVC   3                      EXIT
*
*---------------------------------------------------------------------*
* COLLATZ (key 9): R1 = M. For n = 1 .. M-1 counts the steps of       *
* n -> n/2 (even), 3n+1 (odd) until 1; LOGs (n, steps) for each new   *
* record and REPORTs the best n (slot 0) and its steps (slot 1).      *
* Logical arithmetic: exact while 3n+1 < 2**32 (any M up to 159487).  *
*---------------------------------------------------------------------*
COLLATZ  LR    R10,R1                 M
         LHI   R9,1
         LHI   R11,-1                 longest chain so far
         SR    R12,R12                its start
         LHI   R3,1                   n
CZNEXT   CLR   R3,R10
         JNL   CZDONE
         LR    R4,R3                  x
         SR    R5,R5                  steps
CZSTEP   CLR   R4,R9
         JE    CZEND                  x = 1
         TMLL  R4,1
         JNZ   CZODD
         SRL   R4,1                   x even: x/2
         AHI   R5,1
         J     CZSTEP
CZODD    LR    R6,R4                  x odd: 3x+1
         ALR   R4,R4
         ALR   R4,R6
         ALR   R4,R9
         AHI   R5,1
         J     CZSTEP
CZEND    CR    R5,R11
         JNH   CZSKIP
         LR    R11,R5                 a new record
         LR    R12,R3
         LR    R0,R3
         LR    R1,R5
         SVC   2                      LOG (n, steps)
CZSKIP   AHI   R3,1
         J     CZNEXT
CZDONE   SR    R0,R0
         LR    R1,R12
         SVC   1                      REPORT slot 0: the start
         LHI   R0,1
         LR    R1,R11
         SVC   1                      REPORT slot 1: its steps
         SVC   3                      EXIT
*
*---------------------------------------------------------------------*
* ROGUE (key 10): R1 = spin count. Burns CPU for a while, then stores *
* a supervisor-state PSW of its own over the external new PSW, so     *
* that the next timer interruption would hand it the machine. The     *
* page holds key 0, the PSW key is 10: a protection exception ends    *
* the task instead, and the MVC stores nothing.                       *
*---------------------------------------------------------------------*
ROGUE    LTR   R4,R1
         JZ    RGATTACK
RGSPIN   JCT   R4,RGSPIN
RGATTACK MVC   EXTNEW(8),RGPSW
         SVC   3                      not reached
RGOWNED  LPSW  RGWAIT                 what the rogue would run
*
*---------------------------------------------------------------------*
* PSWs, the literal pool, the task control blocks and the log.        *
*---------------------------------------------------------------------*
         DS    0D
DONEPSW  DC    X'000A0000',A(0)       disabled wait: all tasks ended
EXTWAIT  DC    X'000A0000',A(X'E58')  unexpected external interruption
PGMWAIT  DC    X'000A0000',A(X'E68')  program check in the supervisor
RGPSW    DC    X'00080000',X'80',AL3(RGOWNED)
RGWAIT   DC    X'000A0000',A(X'BAD0') the rogue owns the machine
         LTORG
         DS    0D
TCBS     DS    0D
TCB1     DC    X'01890000',X'80',AL3(SIEVE)
         DC    16F'0',XL8'00',CL8'SIEVE'
         DC    4F'0',F'0',F'0',F'0',AL1(READY,1),XL2'00',XL8'00'
TCB2     DC    X'01990000',X'80',AL3(COLLATZ)
         DC    16F'0',XL8'00',CL8'COLLATZ'
         DC    4F'0',F'0',F'0',F'0',AL1(READY,2),XL2'00',XL8'00'
TCB3     DC    X'01A90000',X'80',AL3(ROGUE)
         DC    16F'0',XL8'00',CL8'ROGUE'
         DC    4F'0',F'0',F'0',F'0',AL1(READY,3),XL2'00',XL8'00'
TCBEND   EQU   *
LOG      DS    (LOGCAP*12)X           SVC 2 entries: task, R0, R1
         END   INIT
