       01  R.
           05  A OCCURS 100000.
             10  B OCCURS 100000.
               15  C PIC X(100000).
