*        TASK: a user program of the MINIKERN test kernel. It runs
*        in problem state with DAT on, in its own address space
*        (virtual X'0000'-X'FFFF'); the kernel puts N (fullword) and
*        the task's letter at virtual X'800'. It sums 1..N in a loop
*        long enough to be preempted by the kernel's CPU timer,
*        prints "TASK x SUM=nnnnnnnn" (SVC 1), writes that line as
*        its record on the disk (SVC 3) and ends (SVC 0).
TASK     START X'1000'
         BALR  12,0
         USING *,12
         L     3,X'800'
         SR    4,4
         LA    5,1
LOOP     AR    4,5
         LA    5,1(5)
         CR    5,3
         BNH   LOOP
         ST    4,SUM
         CVD   4,DW
         UNPK  MSGNUM(8),DW+4(4)
         OI    MSGNUM+7,X'F0'
         MVC   MSGNAME(1),X'804'
         LA    1,MSG
         LA    0,19
         SVC   1
         MVC   REC(19),MSG
         LA    1,REC
         SVC   3
         SVC   0
         DS    0D
DW       DS    XL8
SUM      DS    F
MSG      DC    C'TASK '
MSGNAME  DC    C'?'
         DC    C' SUM='
MSGNUM   DC    C'????????'
REC      DC    CL80' '
         END   TASK

