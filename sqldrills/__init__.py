"""sqldrills: practise and grade the SQL mistakes that run fine but return misleading numbers."""

__version__ = "0.1.0"
