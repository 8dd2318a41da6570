*        DASDCON: read the VOL1 label of a 3390 (device 0190,
*        subchannel 1) and print the volser on the 3215 console
*        (device 0009, subchannel 0); write three 80-byte records
*        on cylinder 1 head 0, read them back in one chain and
*        print them. Works on a fresh `strachey dasd init` volume.
*        Bare metal ESA/390, DAT off, supervisor state: start it with
*        a restart PSW pointing at X'2000'. It waits for each I/O
*        interruption in an enabled wait (CR6 subclass 0, I/O new
*        PSW), then takes the status with TSCH. Ends in a disabled wait:
*        address 0 when all went well, X'BAD' when an I/O failed
*        (the IRB of the failing I/O is at IRB).
DASDCON  START X'2000'
         BALR  12,0
         USING *,12
         LCTL  6,6,=X'80000000'
         MVC   X'78'(8),IONEW
*        Enable both subchannels: STSCH, set the E bit, MSCH.
         L     1,=X'00010000'
         BAL   14,ENABLE
         L     1,=X'00010001'
         BAL   14,ENABLE
*        Read the VOL1 label (cylinder 0, head 0, record 3).
         SSCH  ORBVOL
         BAL   14,WAITIO
         MVC   VOLMSG+7(6),LABEL+4
         L     1,=X'00010000'
         SSCH  ORBMSG
         BAL   14,WAITIO
*        Format cylinder 1 head 0 with records 1-3, then read them.
         L     1,=X'00010001'
         SSCH  ORBFMT
         BAL   14,WAITIO
         L     1,=X'00010001'
         SSCH  ORBDATA
         BAL   14,WAITIO
         L     1,=X'00010000'
         SSCH  ORBPRINT
         BAL   14,WAITIO
         LPSW  DONE
*
ENABLE   STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         BR    14
*        Wait for the I/O interruption, then for primary status;
*        anything but CE+DE fails.
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
FAIL     LPSW  BAD
*
         DS    0D
DONE     DC    X'000A0000',X'00000000'
BAD      DC    X'000A0000',X'00000BAD'
WAITPSW  DC    X'020A0000',X'80000000'
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
*        ORBs: parameter, key 0, format 1, LPM X'80', CCW address.
ORBVOL   DC    F'1',X'00808000',A(CCWVOL)
ORBMSG   DC    F'2',X'00808000',A(CCWMSG)
ORBFMT   DC    F'5',X'00808000',A(CCWFMT)
ORBDATA  DC    F'3',X'00808000',A(CCWDATA)
ORBPRINT DC    F'4',X'00808000',A(CCWPRINT)
*        Format-1 CCWs: command, flags, count, data address.
*        SEEK, SEARCH ID EQUAL, TIC back to the search, READ DATA.
         DS    0D
CCWVOL   DC    X'07',X'40',AL2(6),A(SEEK0)
         DC    X'31',X'40',AL2(5),A(ID003)
         DC    X'08',X'00',AL2(0),A(CCWVOL+8)
         DC    X'06',X'20',AL2(80),A(LABEL)
*        WRITE with carrier return on the 3215.
CCWMSG   DC    X'09',X'20',AL2(13),A(VOLMSG)
*        SEEK, SEARCH ID EQUAL R0, TIC, WRITE CKD R1, R2, R3.
CCWFMT   DC    X'07',X'40',AL2(6),A(SEEK1)
         DC    X'31',X'40',AL2(5),A(ID100)
         DC    X'08',X'00',AL2(0),A(CCWFMT+8)
         DC    X'1D',X'40',AL2(88),A(CKD1)
         DC    X'1D',X'40',AL2(88),A(CKD2)
         DC    X'1D',X'00',AL2(88),A(CKD3)
*        Records 1, 2, 3: each READ DATA takes the next record.
CCWDATA  DC    X'07',X'40',AL2(6),A(SEEK1)
         DC    X'31',X'40',AL2(5),A(ID101)
         DC    X'08',X'00',AL2(0),A(CCWDATA+8)
         DC    X'06',X'40',AL2(80),A(REC1)
         DC    X'06',X'40',AL2(80),A(REC2)
         DC    X'06',X'00',AL2(80),A(REC3)
CCWPRINT DC    X'09',X'40',AL2(80),A(REC1)
         DC    X'09',X'40',AL2(80),A(REC2)
         DC    X'09',X'00',AL2(80),A(REC3)
SEEK0    DC    X'000000000000'
ID003    DC    X'0000000003'
SEEK1    DC    X'000000010000'
ID101    DC    X'0001000001'
ID100    DC    X'0001000000'
*        Count fields (CC HH R KL DL) and data of the three records.
CKD1     DC    X'0001000001000050'
         DC    CL80'FIRST RECORD ON CYLINDER 1'
CKD2     DC    X'0001000002000050'
         DC    CL80'SECOND RECORD'
CKD3     DC    X'0001000003000050'
         DC    CL80'THIRD RECORD'
VOLMSG   DC    C'VOLUME ??????'
         DS    0F
SCHIB    DS    XL52
IRB      DS    XL64
LABEL    DS    CL80
REC1     DS    CL80
REC2     DS    CL80
REC3     DS    CL80
         END   DASDCON
